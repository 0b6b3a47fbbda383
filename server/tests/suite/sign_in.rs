//! Signing in and out, sessions and their cookie.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;

async fn unknown_user_and_wrong_password_answer_identically_after_one_hash_each(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("ada", false).await;

    let before = app.state.hasher.calls();
    let unknown = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "nobody"), ("password", PASSWORD)],
            None,
        )
        .await;
    let after_unknown = app.state.hasher.calls();
    let wrong = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "ada"), ("password", "not the password")],
            None,
        )
        .await;
    let after_wrong = app.state.hasher.calls();

    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body, wrong.body);
    assert!(unknown.cookie().is_none() && wrong.cookie().is_none());
    assert_eq!(after_unknown - before, 1, "one hash for an unknown user");
    assert_eq!(
        after_wrong - after_unknown,
        1,
        "one hash for a wrong password"
    );
}

async fn sign_in_accepts_username_or_email_in_any_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("grace", false).await;

    for identifier in ["grace", "GRACE", "grace@example.test", "Grace@Example.TEST"] {
        let response = app
            .post_form(
                "/api/auth/login",
                &[("identifier", identifier), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{identifier}: {}",
            response.body
        );
    }
}

async fn the_session_cookie_is_http_only_same_site_and_changes_at_each_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("alan", false).await;

    let first = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "alan"), ("password", PASSWORD)],
            None,
        )
        .await;
    let header = first.set_cookie().expect("Set-Cookie");
    assert!(header.starts_with("gatehouse_session="), "{header}");
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Lax"), "{header}");
    assert!(header.contains("Path=/"), "{header}");
    assert!(!header.contains("Domain"), "{header}");
    let first_cookie = first.cookie().unwrap();
    let token = first_cookie.split_once('=').unwrap().1;
    assert!(token.len() >= 32, "at least 128 bits of token");

    // Signing in again from the same browser replaces the token and kills the old one.
    let second = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "alan"), ("password", PASSWORD)],
            Some(&first_cookie),
        )
        .await;
    let second_cookie = second.cookie().unwrap();
    assert_ne!(first_cookie, second_cookie);
    let me_old = app.get("/api/auth/me", Some(&first_cookie)).await;
    assert_eq!(
        me_old.json(),
        serde_json::Value::Null,
        "the old token is dead"
    );
    let me_new = app.get("/api/auth/me", Some(&second_cookie)).await;
    assert_eq!(me_new.json()["username"], "alan");

    // The database holds only a hash of the token.
    let stored = app
        .scalar(&format!(
            "select count(*) from sessions where token_hash = '{}'",
            second_cookie.split_once('=').unwrap().1
        ))
        .await;
    assert_eq!(stored, 0, "the raw token is never stored");
}

async fn a_signed_out_cookie_answers_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("edsger", false).await;

    let out = app.post_form("/api/auth/logout", &[], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.set_cookie().unwrap().contains("Max-Age=0"));

    let again = app.post_form("/api/auth/logout", &[], Some(&cookie)).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json(),
        serde_json::Value::Null
    );
}

async fn a_made_up_cookie_is_nobody_and_creates_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let made_up = format!("gatehouse_session={}", "ab".repeat(32));

    let response = app.post_form("/api/auth/logout", &[], Some(&made_up)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.scalar("select count(*) from sessions").await, 0);
}

async fn sessions_end_after_the_idle_timeout_and_the_absolute_lifetime(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("barbara", false).await;
    let idle = app.state.settings.session_idle_secs;
    let absolute = app.state.settings.session_absolute_secs;

    // Active use keeps the session alive past the idle timeout...
    let mut elapsed = 0;
    while elapsed + idle / 2 < absolute {
        app.clock.advance(idle / 2);
        elapsed += idle / 2;
        let me = app.get("/api/auth/me", Some(&cookie)).await;
        assert_eq!(me.json()["username"], "barbara", "alive after {elapsed}s");
    }
    // ...but not past the absolute lifetime.
    app.clock.advance(idle / 2);
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json(),
        serde_json::Value::Null
    );

    // And an idle session ends after the idle timeout.
    let cookie = app.sign_in("barbara", PASSWORD).await;
    app.clock.advance(idle + 1);
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json(),
        serde_json::Value::Null
    );
}

async fn sign_ins_and_failures_are_activity_events(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_user("radia", false).await;
    app.post_form(
        "/api/auth/login",
        &[("identifier", "radia"), ("password", "wrong password")],
        None,
    )
    .await;
    app.sign_in("radia", PASSWORD).await;

    let failed = app
        .scalar(&format!(
            "select count(*) from activity_log where event = 'auth:sign-in.failed' and subject_id = {id}"
        ))
        .await;
    let succeeded = app
        .scalar(&format!(
            "select count(*) from activity_log where event = 'auth:sign-in.succeeded' and actor_id = {id}"
        ))
        .await;
    assert_eq!((failed, succeeded), (1, 1));
}

async fn a_cross_site_post_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("mallory.target", false).await;
    let sessions_before = app.scalar("select count(*) from sessions").await;

    for (host, name, value) in [
        ("127.0.0.1:3000", "origin", "https://evil.example"),
        ("127.0.0.1:3000", "sec-fetch-site", "cross-site"),
        ("127.0.0.1:3000", "origin", "null"),
        // A rebound name: the origin matches the Host, but not the panel.
        ("evil.example", "origin", "http://evil.example"),
    ] {
        let request = http::Request::builder()
            .method("POST")
            .uri("/api/auth/logout")
            .header("host", host)
            .header("cookie", &cookie)
            .header(name, value)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{host} {name}: {value}"
        );
    }
    assert_eq!(
        app.scalar("select count(*) from sessions").await,
        sessions_before
    );

    // The panel's own origin passes, in any loopback spelling of it.
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/auth/logout")
        .header("host", "localhost:3000")
        .header("cookie", &cookie)
        .header("origin", "http://localhost:3000")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
}

async fn security_headers_are_on_pages_and_api_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("headers", false).await;

    let page = app.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert!(page.headers.contains_key("referrer-policy"));
    assert_eq!(page.headers["cache-control"], "no-store");

    let api = app.get("/api/public/info", None).await;
    assert_eq!(api.headers["x-content-type-options"], "nosniff");
    assert_eq!(api.headers["cache-control"], "no-store");
    assert!(api.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

async fn health_answers_200_while_the_database_is_reachable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    app.state.db.pool().close().await;
    assert_eq!(
        app.get("/healthz", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

async fn an_oversized_password_is_refused_without_hashing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let huge = "x".repeat(1024 * 1024);
    let before = app.state.hasher.calls();
    let response = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "anyone"), ("password", &huge)],
            None,
        )
        .await;
    assert!(
        matches!(
            response.status,
            StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE
        ),
        "{}",
        response.status
    );
    assert_eq!(app.state.hasher.calls(), before);
}

async fn over_https_the_cookie_is_secure_and_host_prefixed(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("GATEHOUSE_PUBLIC_URL", "https://panel.example.test")],
    )
    .await;
    app.create_user("secure", false).await;
    let response = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "secure"), ("password", PASSWORD)],
            None,
        )
        .await;
    let header = response.set_cookie().unwrap();
    assert!(header.starts_with("__Host-gatehouse_session="), "{header}");
    assert!(
        header.contains("; Secure") && header.contains("Path=/") && !header.contains("Domain"),
        "{header}"
    );
    assert!(response.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let cookie = response.cookie().unwrap();
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json()["username"],
        "secure"
    );
}

async fn error_text_in_a_link_never_reaches_the_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("someone", false).await;
    let crafted = "/login?__path=%2Fapi%2Fauth%2Flogin&__err=eyJraW5kIjoiY29uZmxpY3QiLCJtZXNzYWdlIjoiQ2FsbCB1cyJ9";
    let response = app.get(crafted, None).await;
    assert!(response.status.is_redirection(), "{}", response.status);
    assert_eq!(response.headers["location"], "/login");
}

async fn a_password_link_page_carries_its_token_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("linked", false).await;
    let token = "ab".repeat(32);
    let page = app.get(&format!("/password/set?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("value=\"{token}\"")),
        "the form holds the token"
    );
}

on_both_backends!(
    over_https_the_cookie_is_secure_and_host_prefixed,
    error_text_in_a_link_never_reaches_the_page,
    a_password_link_page_carries_its_token_without_javascript,
    unknown_user_and_wrong_password_answer_identically_after_one_hash_each,
    sign_in_accepts_username_or_email_in_any_case,
    the_session_cookie_is_http_only_same_site_and_changes_at_each_sign_in,
    a_signed_out_cookie_answers_401,
    a_made_up_cookie_is_nobody_and_creates_nothing,
    sessions_end_after_the_idle_timeout_and_the_absolute_lifetime,
    sign_ins_and_failures_are_activity_events,
    a_cross_site_post_is_refused_and_changes_nothing,
    security_headers_are_on_pages_and_api_answers,
    health_answers_200_while_the_database_is_reachable,
    an_oversized_password_is_refused_without_hashing,
);
