//! A user's own account: validation, profile, email, password, sessions, lockout and limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;

const NEW_PASSWORD: &str = "an entirely new passphrase";

fn setup_form<'a>(
    token: &'a str,
    username: &'a str,
    email: &'a str,
    name: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("username", username),
        ("email", email),
        ("first_name", name),
        ("last_name", "Person"),
        ("password", PASSWORD),
    ]
}

async fn each_validation_rule_gives_a_field_error_at_its_boundary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.state.setup_token.current().unwrap();
    let ten_kb = "a".repeat(10 * 1024);
    let long_name = "a".repeat(33);
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        ("username", "ab", "two@example.test", "Name"),
        ("username", &long_name, "long@example.test", "Name"),
        ("username", "Admin_1", "upper@example.test", "Name"),
        ("username", "nul\0user", "nul@example.test", "Name"),
        ("username", &ten_kb, "huge@example.test", "Name"),
        ("email", "fine", "not-an-email", "Name"),
        ("email", "fine", &ten_kb, "Name"),
        ("email", "fine", "nul\0@example.test", "Name"),
        ("first_name", "fine", "name@example.test", ""),
        ("first_name", "fine", "name@example.test", "bell\u{7}"),
        ("first_name", "fine", "name@example.test", &ten_kb),
    ];
    for (field, username, email, name) in cases {
        let response = app
            .post_form(
                "/api/setup",
                &setup_form(&token, username, email, name),
                None,
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            response.body
        );
        let fields: Vec<String> = response.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            fields.contains(&field.to_owned()),
            "{field} not in {fields:?}"
        );
    }
    assert_eq!(
        app.scalar("select count(*) from users").await,
        0,
        "nothing was stored"
    );

    // The boundaries that pass: 3 characters through setup, 32 through the shared service.
    let ok = app
        .post_form(
            "/api/setup",
            &setup_form(&token, "abc", "abc@example.test", "Name"),
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let form = TestApp::form(&"b".repeat(32), "thirtytwo@example.test");
    app::users::server::create(&app.state, &form).await.unwrap();
}

async fn usernames_and_emails_conflict_regardless_of_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin_1", false).await;
    let form = TestApp::form;
    // `Admin_1` is refused outright (upper case); the canonical form would clash anyway.
    let error = app::users::server::create(&app.state, &form("Admin_1", "x@example.test"))
        .await
        .unwrap_err();
    assert!(error.field_message("username").is_some());
    app::users::server::create(&app.state, &form("mixed", "Mixed@Example.test"))
        .await
        .unwrap();
    let error = app::users::server::create(&app.state, &form("other", "mixed@example.test"))
        .await
        .unwrap_err();
    assert!(error.field_message("email").is_some(), "{error:?}");
}

async fn profile_changes_are_validated_saved_and_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("ada", false).await;

    let bad = app
        .post_form(
            "/api/account/profile",
            &[("first_name", ""), ("last_name", "L"), ("language", "xx")],
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("first_name") && bad.body.contains("language"),
        "{}",
        bad.body
    );

    let ok = app
        .post_form(
            "/api/account/profile",
            &[
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("language", "de"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let me = app.get("/api/auth/me", Some(&cookie)).await.json();
    assert_eq!(
        (me["first_name"].as_str(), me["language"].as_str()),
        (Some("Ada"), Some("de"))
    );
    let events = app
        .scalar("select count(*) from activity_log where event = 'account:profile.updated'")
        .await;
    assert_eq!(events, 1);
}

async fn an_email_change_needs_the_password_and_tells_the_old_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("grace", false).await;
    app.create_user("taken", false).await;

    let wrong = app
        .post_form(
            "/api/account/email",
            &[
                ("current_password", "wrong password"),
                ("email", "new@example.test"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("current_password"));

    let clash = app
        .post_form(
            "/api/account/email",
            &[
                ("current_password", PASSWORD),
                ("email", "TAKEN@example.test"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);

    let injected = app
        .post_form(
            "/api/account/email",
            &[
                ("current_password", PASSWORD),
                ("email", "a@example.test\r\nBcc: x@example.test"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(injected.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ok = app
        .post_form(
            "/api/account/email",
            &[
                ("current_password", PASSWORD),
                ("email", "Grace.New@Example.test"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json()["email"],
        "Grace.New@Example.test"
    );
    app.sign_in("grace.new@example.test", PASSWORD).await;

    let mail = app.outbox().await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, "grace@example.test");
    assert!(
        mail[0].text.contains("Grace.New@Example.test"),
        "{}",
        mail[0].text
    );
    assert!(!mail[0].text.contains(PASSWORD) && !mail[0].html.contains(PASSWORD));
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'account:email.changed'")
            .await,
        1
    );
}

async fn a_password_change_signs_out_other_sessions_and_renews_this_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let here = app.signed_in_user("alan", false).await;
    let elsewhere = app.sign_in("alan", PASSWORD).await;

    let wrong = app
        .post_form(
            "/api/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", NEW_PASSWORD),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let weak = app
        .post_form(
            "/api/account/password",
            &[("current_password", PASSWORD), ("new_password", "alan")],
            Some(&here),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);

    let changed = app
        .post_form(
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let renewed = changed.cookie().expect("a fresh session cookie");
    assert_ne!(renewed, here);

    assert_eq!(
        app.post_form("/api/account/sessions/revoke-others", &[], Some(&elsewhere))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_form("/api/account/sessions/revoke-others", &[], Some(&here))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/auth/me", Some(&renewed)).await.json()["username"],
        "alan"
    );

    let old = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "alan"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.sign_in("alan", NEW_PASSWORD).await;
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'account:password.changed'")
            .await,
        1
    );
    let mail = app.outbox().await;
    assert!(
        mail.iter()
            .any(|m| m.subject.contains("password was changed")),
        "{mail:?}"
    );
}

async fn sessions_are_listed_and_can_be_signed_out_one_or_all_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let here = app.signed_in_user("barbara", false).await;
    let laptop = app.sign_in("barbara", PASSWORD).await;
    let phone = app.sign_in("barbara", PASSWORD).await;

    let list = app.get("/api/account/sessions", Some(&here)).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);

    let laptop_id = {
        let from_laptop = app.get("/api/account/sessions", Some(&laptop)).await.json();
        from_laptop
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == true)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let revoked = app
        .post_form(
            "/api/account/sessions/revoke",
            &[("id", &laptop_id.to_string())],
            Some(&here),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(
        app.get("/api/auth/me", Some(&laptop)).await.json(),
        serde_json::Value::Null
    );

    let others = app
        .post_form("/api/account/sessions/revoke-others", &[], Some(&here))
        .await;
    assert_eq!(others.json(), 1);
    assert_eq!(
        app.get("/api/auth/me", Some(&phone)).await.json(),
        serde_json::Value::Null
    );
    assert_eq!(
        app.get("/api/auth/me", Some(&here)).await.json()["username"],
        "barbara"
    );
    assert_eq!(
        app.scalar("select count(*) from activity_log where event like 'account:session%'")
            .await,
        2
    );
}

async fn another_users_session_cannot_be_signed_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let victim = app.signed_in_user("victim", false).await;
    let attacker = app.signed_in_user("attacker", false).await;
    let victim_id = app.get("/api/account/sessions", Some(&victim)).await.json()[0]["id"]
        .as_i64()
        .unwrap();

    let response = app
        .post_form(
            "/api/account/sessions/revoke",
            &[("id", &victim_id.to_string())],
            Some(&attacker),
        )
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/auth/me", Some(&victim)).await.json()["username"],
        "victim"
    );
}

async fn parallel_wrong_passwords_lock_the_account_but_no_one_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let target = app.create_user("target", false).await;
    app.create_user("bystander", false).await;

    let attempts = (0..50).map(|_| {
        app.post_form(
            "/api/auth/login",
            &[("identifier", "target"), ("password", "guess guess guess")],
            None,
        )
    });
    let responses = futures::future::join_all(attempts).await;
    assert!(responses
        .iter()
        .all(|r| r.status == StatusCode::UNAUTHORIZED));
    let counter = app
        .scalar(&format!(
            "select failed_sign_ins from users where id = {target}"
        ))
        .await;
    assert_eq!(counter, 50, "every attempt counted exactly once");

    // Locked: even the right password gets the same generic answer.
    let generic = responses[0].body.clone();
    let locked = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "target"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.body, generic);
    assert!(locked.cookie().is_none());

    // Someone else signs in normally meanwhile.
    app.sign_in("bystander", PASSWORD).await;
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'auth:account.locked'")
            .await,
        1
    );

    // After the window the right password works and clears the counter.
    app.clock.advance(15 * 60 + 1);
    app.sign_in("target", PASSWORD).await;
    assert_eq!(
        app.scalar(&format!(
            "select failed_sign_ins from users where id = {target}"
        ))
        .await,
        0
    );
}

async fn ten_failures_lock_and_a_password_link_still_gets_the_owner_back_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_user("locked.out", false).await;
    for _ in 0..10 {
        app.post_form(
            "/api/auth/login",
            &[("identifier", "locked.out"), ("password", "nope nope nope")],
            None,
        )
        .await;
    }
    let locked = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "locked.out"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);

    let token = app::password_links::server::issue(&app.state, id, 600)
        .await
        .unwrap();
    let set = app
        .post_form(
            "/api/password/set",
            &[("token", &token), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    app.sign_in("locked.out", NEW_PASSWORD).await;
}

async fn sign_in_is_limited_per_address_without_a_global_bucket(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("GATEHOUSE_SIGN_IN_LIMIT", "5"),
            ("GATEHOUSE_CREDENTIAL_LIMIT", "5"),
            ("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    app.create_user("someone", false).await;
    let app = &app;
    let from = |ip: &'static str| vec![("x-forwarded-for", ip)];
    let attempt = |ip: &'static str, password: &'static str| {
        let headers = from(ip);
        async move {
            app.post_form_with(
                "/api/auth/login",
                &[("identifier", "someone"), ("password", password)],
                None,
                &headers,
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("203.0.113.1", "wrong wrong wrong").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = attempt("203.0.113.1", "wrong wrong wrong").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));

    // Another address is untouched, and the hammering address still has its other bucket.
    assert_eq!(
        attempt("203.0.113.2", PASSWORD).await.status,
        StatusCode::OK
    );
    let link = app
        .post_form_with(
            "/api/password/set",
            &[("token", "x"), ("password", NEW_PASSWORD)],
            None,
            &from("203.0.113.1"),
        )
        .await;
    assert_eq!(link.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn wrong_current_passwords_count_towards_the_lockout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("session.thief.target", false).await;
    for guess in 0..10 {
        let response = app
            .post_form(
                "/api/account/password",
                &[
                    ("current_password", &format!("guess number {guess}")),
                    ("new_password", NEW_PASSWORD),
                ],
                Some(&cookie),
            )
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        app.scalar(
            "select count(*) from activity_log where event = 'account:password-check.failed'"
        )
        .await,
        10
    );
    // Locked: even the right current password is refused now, and so is signing in.
    let right = app
        .post_form(
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(right.status, StatusCode::UNPROCESSABLE_ENTITY);
    let login = app
        .post_form(
            "/api/auth/login",
            &[
                ("identifier", "session.thief.target"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    wrong_current_passwords_count_towards_the_lockout,
    each_validation_rule_gives_a_field_error_at_its_boundary,
    usernames_and_emails_conflict_regardless_of_case,
    profile_changes_are_validated_saved_and_logged,
    an_email_change_needs_the_password_and_tells_the_old_address,
    a_password_change_signs_out_other_sessions_and_renews_this_one,
    sessions_are_listed_and_can_be_signed_out_one_or_all_others,
    another_users_session_cannot_be_signed_out,
    parallel_wrong_passwords_lock_the_account_but_no_one_else,
    ten_failures_lock_and_a_password_link_still_gets_the_owner_back_in,
    sign_in_is_limited_per_address_without_a_global_bucket,
);
