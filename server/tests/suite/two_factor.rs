//! Two-factor authentication: enrolment, the checkpoint, codes, recovery codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use app::two_factor::totp::{code_at_step, step_of};
use http::StatusCode;

/// Signs in with the password; returns the checkpoint cookie.
async fn password_step(app: &TestApp, username: &str) -> String {
    let response = app
        .post_form(
            "/api/auth/login",
            &[("identifier", username), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json()["two_factor_required"], true);
    let cookie = response.cookie().unwrap();
    assert!(cookie.starts_with("gatehouse_checkpoint="), "{cookie}");
    cookie
}

async fn code_step(app: &TestApp, checkpoint: &str, code: &str) -> crate::common::TestResponse {
    app.post_form("/api/auth/two-factor", &[("code", code)], Some(checkpoint))
        .await
}

/// A user with two-factor on, signed out; returns the secret and recovery codes.
async fn two_factor_user(app: &TestApp, username: &str) -> (String, Vec<String>) {
    let cookie = app.signed_in_user(username, false).await;
    let enabled = app.enable_two_factor(&cookie).await;
    // Move past the step used to confirm, as a user signing in later would.
    app.clock.advance(90);
    enabled
}

async fn codes_one_step_either_side_pass_and_two_steps_fail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (secret, _) = two_factor_user(&app, "drift").await;
    for (offset, passes) in [(-2i64, false), (2, false), (-1, true), (0, true), (1, true)] {
        // Each successful code needs a step newer than the last; move on between checks.
        app.clock.advance(300);
        let checkpoint = password_step(&app, "drift").await;
        let code = code_at_step(&secret, step_of(app.clock_now()) + offset).unwrap();
        let response = code_step(&app, &checkpoint, &code).await;
        assert_eq!(
            response.status == StatusCode::OK,
            passes,
            "T{offset:+}: {}",
            response.body
        );
        if passes {
            let session = response
                .headers
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("gatehouse_session="));
            assert!(session, "a session cookie after the code");
        }
    }
}

async fn a_code_works_once_even_when_sent_twice_at_the_same_moment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (secret, _) = two_factor_user(&app, "replay").await;
    let first = password_step(&app, "replay").await;
    let second = password_step(&app, "replay").await;
    let code = code_at_step(&secret, step_of(app.clock_now())).unwrap();

    let (a, b) = tokio::join!(
        code_step(&app, &first, &code),
        code_step(&app, &second, &code)
    );
    let successes = [a.status, b.status]
        .iter()
        .filter(|s| **s == StatusCode::OK)
        .count();
    assert_eq!(successes, 1, "{} / {}", a.body, b.body);

    // And again later in the same step: refused.
    let third = password_step(&app, "replay").await;
    assert_eq!(
        code_step(&app, &third, &code).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn the_code_that_confirmed_enrolment_cannot_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("enrolled", false).await;
    let (secret, _) = app.enable_two_factor(&cookie).await;
    let used = code_at_step(&secret, step_of(app.clock_now())).unwrap();
    let checkpoint = password_step(&app, "enrolled").await;
    assert_eq!(
        code_step(&app, &checkpoint, &used).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn recovery_codes_are_hashed_work_once_and_regeneration_voids_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (secret, codes) = two_factor_user(&app, "recover").await;
    assert_eq!(codes.len(), 10);
    // Only SHA-256 digests are stored: 64 hex characters, none of them a code.
    assert_eq!(
        app.scalar("select count(*) from recovery_codes where length(code_hash) = 64")
            .await,
        10
    );
    for code in &codes {
        let bare = code.replace('-', "");
        let stored = app
            .scalar(&format!(
                "select count(*) from recovery_codes where code_hash in ('{code}', '{bare}')"
            ))
            .await;
        assert_eq!(stored, 0);
    }

    // Two simultaneous uses of one code: exactly one passes.
    let a = password_step(&app, "recover").await;
    let b = password_step(&app, "recover").await;
    let (ra, rb) = tokio::join!(
        code_step(&app, &a, &codes[0]),
        code_step(&app, &b, &codes[0])
    );
    assert_eq!(
        [ra.status, rb.status]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count(),
        1
    );
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'auth:recovery-code.used'")
            .await,
        1
    );

    // Regenerate (password and a current code), then the old set is dead.
    let session = app.sign_in_with_code("recover", &codes[1]).await;
    app.clock.advance(60);
    let code = code_at_step(&secret, step_of(app.clock_now())).unwrap();
    let regenerated = app
        .post_form(
            "/api/account/two-factor/recovery-codes",
            &[("password", PASSWORD), ("code", &code)],
            Some(&session),
        )
        .await;
    assert_eq!(regenerated.status, StatusCode::OK, "{}", regenerated.body);
    let new_codes: Vec<String> = regenerated
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let old = password_step(&app, "recover").await;
    assert_eq!(
        code_step(&app, &old, &codes[2]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let fresh = password_step(&app, "recover").await;
    assert_eq!(
        code_step(&app, &fresh, &new_codes[0]).await.status,
        StatusCode::OK
    );
}

async fn a_wrong_password_for_a_two_factor_user_looks_like_an_unknown_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    two_factor_user(&app, "guarded").await;
    let wrong = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "guarded"), ("password", "not the password")],
            None,
        )
        .await;
    let unknown = app
        .post_form(
            "/api/auth/login",
            &[
                ("identifier", "nobody-here"),
                ("password", "not the password"),
            ],
            None,
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.body.clone()),
        (unknown.status, unknown.body)
    );
    assert!(wrong.set_cookie().is_none(), "no checkpoint");
    assert_eq!(app.scalar("select count(*) from checkpoints").await, 0);
}

async fn the_checkpoint_is_not_a_session_expires_and_dies_after_five_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (secret, _) = two_factor_user(&app, "checkpointed").await;
    let checkpoint = password_step(&app, "checkpointed").await;

    // Not a session: nothing else opens with it.
    assert_eq!(
        app.get("/api/auth/me", Some(&checkpoint)).await.json(),
        serde_json::Value::Null
    );
    assert_eq!(
        app.get("/api/account/sessions", Some(&checkpoint))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Five wrong codes kill it, even for a right code afterwards.
    for attempt in 1..=5 {
        let response = code_step(&app, &checkpoint, "000000").await;
        let expected = if attempt < 5 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(response.status, expected, "attempt {attempt}");
    }
    let right = code_at_step(&secret, step_of(app.clock_now())).unwrap();
    assert_eq!(
        code_step(&app, &checkpoint, &right).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.scalar("select failed_sign_ins from users where username = 'checkpointed'")
            .await,
        6,
        "the password step and the five wrong codes all count towards the lockout"
    );

    // A checkpoint older than five minutes is dead.
    let late = password_step(&app, "checkpointed").await;
    app.clock.advance(5 * 60 + 1);
    let right = code_at_step(&secret, step_of(app.clock_now())).unwrap();
    assert_eq!(
        code_step(&app, &late, &right).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Another user's checkpoint cookie does not carry over: it is bound to its user.
    assert_eq!(
        code_step(&app, "gatehouse_checkpoint=made-up", &right)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn turning_two_factor_on_and_off_needs_proof_revokes_other_sessions_and_mails(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let here = app.signed_in_user("toggler", false).await;
    let elsewhere = app.sign_in("toggler", PASSWORD).await;

    // A wrong code or password leaves it off.
    app.post_form("/api/account/two-factor/start", &[], Some(&here))
        .await;
    let wrong = app
        .post_form(
            "/api/account/two-factor/confirm",
            &[("password", PASSWORD), ("code", "000000")],
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar("select count(*) from users where totp_secret is not null")
            .await,
        0
    );

    let (secret, _) = app.enable_two_factor(&here).await;
    assert_eq!(
        app.get("/api/auth/me", Some(&elsewhere)).await.json(),
        serde_json::Value::Null
    );
    assert_eq!(
        app.get("/api/auth/me", Some(&here)).await.json()["username"],
        "toggler"
    );

    app.clock.advance(60);
    let code = code_at_step(&secret, step_of(app.clock_now())).unwrap();
    let bad_password = app
        .post_form(
            "/api/account/two-factor/disable",
            &[("password", "wrong password"), ("code", &code)],
            Some(&here),
        )
        .await;
    assert_eq!(bad_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    let disabled = app
        .post_form(
            "/api/account/two-factor/disable",
            &[("password", PASSWORD), ("code", &code)],
            Some(&here),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(app.scalar("select count(*) from recovery_codes").await, 0);
    let login = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "toggler"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(login.json()["two_factor_required"], false);

    let subjects: Vec<String> = app.outbox().await.into_iter().map(|m| m.subject).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("two-factor authentication is on")),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("two-factor authentication is off")),
        "{subjects:?}"
    );
}

async fn the_cli_turns_two_factor_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.signed_in_user("lostphone", false).await;
    app.enable_two_factor(&cookie).await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["user", "disable-2fa", "--username", "lostphone"])
        .env("GATEHOUSE_DATABASE_URL", &app.database_url)
        .env("GATEHOUSE_OUTBOX_DIR", app.dir.join("outbox"))
        .env("GATEHOUSE_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("now off"));
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.json(),
        serde_json::Value::Null
    );
    let login = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "lostphone"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(login.json()["two_factor_required"], false);
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'admin:two-factor.disabled'")
            .await,
        1
    );
}

on_both_backends!(
    codes_one_step_either_side_pass_and_two_steps_fail,
    a_code_works_once_even_when_sent_twice_at_the_same_moment,
    the_code_that_confirmed_enrolment_cannot_sign_in,
    recovery_codes_are_hashed_work_once_and_regeneration_voids_them,
    a_wrong_password_for_a_two_factor_user_looks_like_an_unknown_user,
    the_checkpoint_is_not_a_session_expires_and_dies_after_five_wrong_codes,
    turning_two_factor_on_and_off_needs_proof_revokes_other_sessions_and_mails,
    the_cli_turns_two_factor_off,
);
