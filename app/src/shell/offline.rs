//! The page the service worker shows when the panel cannot be reached. It is plain HTML with
//! no script, so it works from the cache alone.

use crate::i18n::{t_in, Locale};
use crate::mail::templates::escape_html;

/// The offline page in `locale`, styled by the build's stylesheet at `css`.
pub fn page(locale: Locale, css: &str) -> String {
    let title = escape_html(t_in(locale, "Gatehouse is offline"));
    let explanation = escape_html(t_in(
        locale,
        "The panel cannot be reached right now. Check your connection, then try again. Nothing you saved is lost.",
    ));
    let retry = escape_html(t_in(locale, "Retry"));
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<main class="auth-card" id="main" data-offline="true">
<h1>{title}</h1>
<p role="status">{explanation}</p>
<p><a class="button" href="">{retry}</a></p>
</main>
</body>
</html>
"#,
        lang = locale.code(),
        css = escape_html(css),
    )
}
