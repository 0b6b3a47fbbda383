//! The Content-Security-Policy of server-rendered pages. Each page gets a fresh nonce that the
//! hydration scripts carry; no other inline script may run.

use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;

/// Provides a nonce for this render and sets the page's policy to allow only scripts with it.
pub fn provide_content_security_policy() {
    provide_nonce();
    let Some(nonce) = use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
