//! Forgot password: the mail, the one-time link, and what a reset does and does not do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Asks for a reset and returns the token from the mail that arrives (if any).
async fn ask(
    app: &TestApp,
    email: &str,
    host: &str,
) -> (crate::common::TestResponse, Option<String>) {
    let before = app.outbox().await.len();
    let response = app
        .post_form_with(
            "/api/password/forgot",
            &[("email", email)],
            None,
            &[("host", host)],
        )
        .await;
    // The work happens in the background; give it a moment to queue its mail.
    for _ in 0..50 {
        if app.outbox().await.len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mail = app.outbox().await;
    let token = mail.get(before).map(|m| {
        let link = m
            .link("https://panel.example.test/password/set?token=")
            .expect("a link on the public URL");
        link.split("token=").nth(1).unwrap().to_owned()
    });
    (response, token)
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        &[("GATEHOUSE_PUBLIC_URL", "https://panel.example.test")],
    )
    .await
}

async fn known_and_unknown_addresses_get_the_same_answer(backend: Backend) {
    let app = spawn(backend).await;
    app.create_user("known", false).await;
    let (known, token) = ask(&app, "KNOWN@example.test", "evil.example").await;
    let (unknown, none) = ask(&app, "unknown@example.test", "evil.example").await;
    assert_eq!(
        (known.status, known.body.clone()),
        (unknown.status, unknown.body)
    );
    assert!(token.is_some() && none.is_none());

    // The mail went to the stored address, and its link used the public URL, not the Host.
    let mail = app.outbox().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "known@example.test");
    assert!(!mail[0].text.contains("evil.example"));
}

async fn a_reset_token_works_once_and_is_stored_hashed(backend: Backend) {
    let app = spawn(backend).await;
    app.create_user("once", false).await;
    let (_, token) = ask(&app, "once@example.test", "127.0.0.1:3000").await;
    let token = token.unwrap();
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from password_tokens where token_hash = '{token}'"
        ))
        .await,
        0
    );

    let set = app
        .post_form(
            "/api/password/set",
            &[("token", &token), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let again = app
        .post_form(
            "/api/password/set",
            &[("token", &token), ("password", "yet another passphrase")],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.sign_in("once", NEW_PASSWORD).await;
    assert!(app
        .outbox()
        .await
        .iter()
        .any(|m| m.subject.contains("password was reset")));
}

async fn a_token_expires_after_twenty_minutes(backend: Backend) {
    let app = spawn(backend).await;
    app.create_user("slow", false).await;
    let (_, token) = ask(&app, "slow@example.test", "127.0.0.1:3000").await;
    app.clock.advance(20 * 60 + 1);
    let late = app
        .post_form(
            "/api/password/set",
            &[("token", &token.unwrap()), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_newer_token_or_a_password_change_voids_the_older(backend: Backend) {
    let app = spawn(backend).await;
    app.create_user("twice", false).await;
    let (_, first) = ask(&app, "twice@example.test", "127.0.0.1:3000").await;
    // Within a minute a second request sends nothing new (per-address throttle).
    let (_, throttled) = ask(&app, "twice@example.test", "127.0.0.1:3000").await;
    assert!(throttled.is_none());
    app.clock.advance(61);
    let (_, second) = ask(&app, "twice@example.test", "127.0.0.1:3000").await;
    let voided = app
        .post_form(
            "/api/password/set",
            &[("token", &first.unwrap()), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(voided.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A password change voids the outstanding link too.
    let cookie = app.sign_in("twice", PASSWORD).await;
    let changed = app
        .post_form(
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let after_change = app
        .post_form(
            "/api/password/set",
            &[
                ("token", &second.unwrap()),
                ("password", "third passphrase here"),
            ],
            None,
        )
        .await;
    assert_eq!(after_change.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_reset_signs_everyone_out_and_keeps_two_factor(backend: Backend) {
    let app = spawn(backend).await;
    let cookie = app.signed_in_user("careful", false).await;
    app.enable_two_factor(&cookie).await;

    app.clock.advance(61);
    let (_, token) = ask(&app, "careful@example.test", "127.0.0.1:3000").await;
    let set = app
        .post_form(
            "/api/password/set",
            &[("token", &token.unwrap()), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert!(set.cookie().is_none(), "a reset signs nobody in");
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json(),
        serde_json::Value::Null
    );

    let login = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "careful"), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(
        login.json()["two_factor_required"],
        true,
        "two-factor stays on"
    );
}

on_both_backends!(
    known_and_unknown_addresses_get_the_same_answer,
    a_reset_token_works_once_and_is_stored_hashed,
    a_token_expires_after_twenty_minutes,
    a_newer_token_or_a_password_change_voids_the_older,
    a_reset_signs_everyone_out_and_keeps_two_factor,
);
