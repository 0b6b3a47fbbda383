//! The interface's language: the signed-in user's preference, otherwise the browser's
//! `Accept-Language`, decided before the first byte of the page is rendered.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, TestResponse};
use axum::body::Body;
use http::{header, Request};

async fn page(
    app: &TestApp,
    path: &str,
    accept_language: &str,
    cookie: Option<&str>,
) -> TestResponse {
    let mut request = Request::builder()
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, accept_language);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn prefer(app: &TestApp, username: &str, language: &str) {
    sqlx::query("update users set language = $1 where username = $2")
        .bind(language)
        .bind(username)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

async fn anonymous_visitors_get_their_browsers_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("someone", true).await;

    let french = page(&app, "/login", "fr-CH, fr;q=0.9, en;q=0.5", None).await;
    assert!(
        french.body.contains(r#"<html lang="fr""#),
        "{}",
        french.body
    );
    assert!(french.body.contains("Se connecter"), "{}", french.body);

    let missing = page(&app, "/no-such-page", "fr", None).await;
    assert!(missing.body.contains("Page introuvable"));

    let german = page(&app, "/login", "de", None).await;
    assert!(german.body.contains(r#"<html lang="de""#));
    assert!(german.body.contains("Anmelden"));

    let unknown = page(&app, "/login", "es, it;q=0.8", None).await;
    assert!(unknown.body.contains(r#"<html lang="en""#));
    assert!(unknown.body.contains("Sign in"));
}

async fn a_signed_in_users_preference_wins_from_the_first_render(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("hans", false).await;
    prefer(&app, "hans", "de").await;

    // The browser asks for French; the account says German, and the first HTML is German.
    let response = page(&app, "/account", "fr", Some(&cookie)).await;
    assert!(
        response.body.contains(r#"<html lang="de""#),
        "{}",
        response.body
    );
    assert!(response.body.contains("Zum Inhalt springen"));
    assert!(response.body.contains("Ihr Konto"));
    assert!(!response.body.contains("Skip to content"));

    // Changing the preference changes the next page.
    prefer(&app, "hans", "fr").await;
    let response = page(&app, "/account", "de", Some(&cookie)).await;
    assert!(response.body.contains(r#"<html lang="fr""#));
    assert!(response.body.contains("Aller au contenu"));
}

async fn the_offline_page_and_service_worker_are_served_for_this_build(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let offline = page(&app, "/offline", "de", None).await;
    assert_eq!(offline.status, http::StatusCode::OK);
    assert!(offline.body.contains(r#"<html lang="de""#));
    assert!(offline.body.contains("Gatehouse ist offline"));
    assert!(offline.body.contains("Erneut versuchen"));
    assert!(
        !offline.body.contains("<script"),
        "the offline page runs no script"
    );

    let worker = app.get("/sw.js", None).await;
    assert_eq!(worker.status, http::StatusCode::OK);
    assert!(worker.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(worker.headers[header::CACHE_CONTROL], "no-cache");
    let precache = worker
        .body
        .lines()
        .find(|line| line.starts_with("const PRECACHE = "))
        .unwrap();
    assert!(precache.contains("\"/offline\""));
    assert!(precache.contains(".wasm\""));
    assert!(!precache.contains("/api/"), "{precache}");
    assert!(!worker.body.contains("__VERSION__"));
}

async fn messages_and_mail_follow_the_readers_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("greta", false).await;
    prefer(&app, "greta", "de").await;

    // A server function answers its caller in the caller's language.
    let refused = app
        .post_form(
            "/api/account/profile",
            &[
                ("first_name", "Greta"),
                ("last_name", "G"),
                ("language", "xx"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Wählen Sie eine der aufgeführten Sprachen."),
        "{}",
        refused.body
    );

    // Mail goes out in its recipient's language, whoever asked for it.
    let before = app.outbox().await.len();
    app.post_form(
        "/api/password/forgot",
        &[("email", "greta@example.test")],
        None,
    )
    .await;
    let mut mail = Vec::new();
    for _ in 0..100 {
        mail = app.outbox().await;
        if mail.len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reset = mail.get(before).expect("a reset mail");
    assert!(reset.subject.contains("Passwort"), "{}", reset.subject);
    assert!(reset.text.contains("Hallo Test"), "{}", reset.text);
}

on_both_backends!(
    anonymous_visitors_get_their_browsers_language,
    a_signed_in_users_preference_wins_from_the_first_render,
    the_offline_page_and_service_worker_are_served_for_this_build,
    messages_and_mail_follow_the_readers_language
);
