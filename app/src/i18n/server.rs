//! Deciding a request's language on the server.

use super::Locale;
use crate::context::AppState;
use http::request::Parts;
use http::HeaderMap;
use leptos::prelude::use_context;

/// The language of the current render or server function: the one chosen for the request
/// (see [`for_request`]), or English outside any request.
pub fn current() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Locale>().copied())
        .unwrap_or_default()
}

/// The language a request's headers ask for.
pub fn from_headers(headers: &HeaderMap) -> Locale {
    headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Locale::negotiate)
        .unwrap_or_default()
}

/// The language for a request: the signed-in user's preference, otherwise the browser's
/// `Accept-Language`. A database failure falls back to the browser's choice (and is logged):
/// the page that follows reports the failure itself.
pub async fn for_request(state: &AppState, headers: &HeaderMap) -> Locale {
    let preferred =
        match crate::auth::server::sessions::token_from_headers(headers, &state.settings) {
            Some(token) => match crate::auth::server::sessions::language(state, &token).await {
                Ok(language) => language.as_deref().and_then(Locale::from_code),
                Err(error) => {
                    tracing::warn!(?error, "could not read the session's language");
                    None
                }
            },
            None => None,
        };
    preferred.unwrap_or_else(|| from_headers(headers))
}
