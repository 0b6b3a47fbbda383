//! Layers every request passes through: the cross-site guard, security headers, and the
//! mapping of server-function errors to their HTTP status.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use std::sync::Arc;

/// What the guards need to know about the deployment.
#[derive(Clone)]
pub struct Guard {
    /// `scheme://host[:port]` of the public URL, and when that host is a loopback name, the
    /// other loopback spellings of it. The request's own `Host` is never trusted for this: a
    /// rebound DNS name would make any origin look like ours.
    pub allowed_origins: Arc<[String]>,
    pub https: bool,
}

impl Guard {
    pub fn for_public_url(url: &url::Url) -> Self {
        let origin = url.origin().ascii_serialization();
        let mut allowed = vec![origin];
        let loopback = ["127.0.0.1", "localhost", "[::1]"];
        if let Some(host) = url.host_str() {
            if loopback.contains(&host) {
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                for name in loopback {
                    allowed.push(format!("{}://{name}{port}", url.scheme()));
                }
            }
        }
        Self {
            allowed_origins: allowed.into(),
            https: url.scheme() == "https",
        }
    }
}

/// Refuses state-changing requests that another site made the browser send (security.md K5):
/// `Sec-Fetch-Site: cross-site`, or an `Origin` that is neither the public URL's nor the one
/// the request was addressed to. Safe methods pass; the panel never changes state on them.
pub async fn refuse_cross_site(
    State(guard): State<Guard>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return refused();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        if !guard
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin)
        {
            return refused();
        }
    }
    next.run(request).await
}

fn refused() -> Response {
    tracing::info!("refused a cross-site state-changing request");
    let body = serde_json::to_string(&AppError::Forbidden { missing: None }).unwrap_or_default();
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Server functions answer every error with status 500 and the encoded [`AppError`]; this
/// layer reads the error back and gives the response the status its variant names, so the
/// decision lives in `AppError::status` alone. Only error responses are inspected.
pub async fn error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // A plain form post without JavaScript gets a redirect back to its page; keep it one.
    if !response.headers().contains_key("serverfnerror")
        || response.headers().contains_key(header::LOCATION)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error) => {
            parts.status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let AppError::RateLimited { retry_after } = error {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    parts.headers.insert(header::RETRY_AFTER, value);
                }
            }
        }
        Err(_) => parts.status = StatusCode::INTERNAL_SERVER_ERROR,
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Leptos carries the error of a form posted without JavaScript back to the page in the
/// `__err` query parameter, and renders it. Anyone could craft such a link to put their own
/// words in the panel's error box, so pages never accept it: the parameter is dropped with a
/// redirect to the clean address. (Without JavaScript, a refused form therefore comes back
/// without its message; with JavaScript, errors never travel through the URL.)
pub async fn drop_error_parameters(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if request.method() == Method::GET && !uri.path().starts_with("/api/") {
        if let Some(query) = uri.query() {
            if query
                .split('&')
                .any(|pair| pair.starts_with("__err=") || pair.starts_with("__path="))
            {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| !pair.starts_with("__err=") && !pair.starts_with("__path="))
                    .collect();
                let target = if kept.is_empty() {
                    uri.path().to_owned()
                } else {
                    format!("{}?{}", uri.path(), kept.join("&"))
                };
                return axum::response::Redirect::to(&target).into_response();
            }
        }
    }
    next.run(request).await
}

/// Security headers on every response (security.md K6). Pages set their own
/// Content-Security-Policy with a per-render nonce; anything else gets a policy that allows
/// nothing to run. Only the build assets under `/pkg/` (long, when hashed), the icons and the
/// manifest may be cached.
pub async fn security_headers(
    State(guard): State<Guard>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let cacheable = path.starts_with("/pkg/");
    // Icons and the manifest change only with a release; a day in the HTTP cache is plenty.
    let shared_static = path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg" | "/manifest.webmanifest" | "/sw-register.js"
        );
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if shared_static {
        set(header::CACHE_CONTROL, "public, max-age=86400");
    } else if !cacheable {
        set(header::CACHE_CONTROL, "no-store");
    }
    if guard.https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

/// Chooses the request's language before anything renders (issue: pages are in the user's
/// language from the first byte). Page loads look up the signed-in user's preference; other
/// requests take `Accept-Language`, and server functions refine it from their caller.
pub async fn choose_language(
    State(state): State<app::context::AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let wants_page = request.method() == Method::GET
        && !["/api/", "/pkg/", "/icons/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        && !matches!(
            path,
            "/healthz" | "/sw.js" | "/sw-register.js" | "/favicon.svg" | "/manifest.webmanifest"
        );
    let locale = if wants_page {
        app::i18n::server::for_request(&state, request.headers()).await
    } else {
        app::i18n::server::from_headers(request.headers())
    };
    request.extensions_mut().insert(locale);
    next.run(request).await
}
