//! First-run setup, the command line, one-time password links, and the append-only log.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;
use std::io::Write;
use std::process::{Command, Stdio};

fn setup_fields<'a>(token: &'a str, username: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("username", username),
        ("email", "root@example.test"),
        ("first_name", "Root"),
        ("last_name", "Admin"),
        ("password", PASSWORD),
    ]
}

async fn setup_creates_the_first_admin_once_and_then_is_gone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app
        .state
        .setup_token
        .current()
        .expect("setup is open on an empty database");
    assert_eq!(
        app.get("/api/public/info", None).await.json()["setup_required"],
        true
    );

    let wrong = app
        .post_form("/api/setup", &setup_fields("wrong", "root"), None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("select count(*) from users").await, 0);

    let bad_input = app
        .post_form("/api/setup", &setup_fields(&token, "R"), None)
        .await;
    assert_eq!(bad_input.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_input.body.contains("username"), "{}", bad_input.body);

    let created = app
        .post_form("/api/setup", &setup_fields(&token, "root"), None)
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(
        app.scalar("select count(*) from users where is_admin = 1")
            .await,
        1
    );
    assert_eq!(
        app.get("/api/public/info", None).await.json()["setup_required"],
        false
    );

    let again = app
        .post_form("/api/setup", &setup_fields(&token, "root2"), None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(app.scalar("select count(*) from users").await, 1);

    app.sign_in("root", PASSWORD).await;
}

async fn setup_is_closed_when_an_account_exists_at_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("early", true).await;
    let restarted = TestApp::spawn_on(backend, app.database_url.clone(), app.dir.clone()).await;
    assert!(restarted.state.setup_token.current().is_none());
    let response = restarted
        .post_form("/api/setup", &setup_fields("anything", "root"), None)
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

fn gatehouse(app: &TestApp, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .env("GATEHOUSE_DATABASE_URL", &app.database_url)
        .env("GATEHOUSE_PUBLIC_URL", "https://panel.example.test")
        .env("GATEHOUSE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the gatehouse binary");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

async fn the_cli_creates_an_admin_who_can_then_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let output = gatehouse(
        &app,
        &[
            "user",
            "create",
            "--username",
            "operator",
            "--email",
            "Operator@Example.test",
            "--first-name",
            "Op",
            "--last-name",
            "Erator",
            "--admin",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let cookie = app.sign_in("operator@example.test", PASSWORD).await;
    let me = app.get("/api/auth/me", Some(&cookie)).await.json();
    assert_eq!(me["username"], "operator");
    assert_eq!(me["is_admin"], true);
}

async fn the_cli_refuses_invalid_input_with_field_messages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let output = gatehouse(
        &app,
        &[
            "user",
            "create",
            "--username",
            "X",
            "--email",
            "nope",
            "--first-name",
            "A",
            "--last-name",
            "B",
        ],
        None,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("username:") && stderr.contains("email:"),
        "{stderr}"
    );
    assert_eq!(app.scalar("select count(*) from users").await, 0);
}

async fn a_user_created_without_a_password_sets_it_through_a_one_time_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let output = gatehouse(
        &app,
        &[
            "user",
            "create",
            "--username",
            "newbie",
            "--email",
            "newbie@example.test",
            "--first-name",
            "New",
            "--last-name",
            "Bie",
        ],
        None,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let link = stdout
        .lines()
        .find(|line| line.starts_with("https://panel.example.test/password/set?token="))
        .unwrap_or_else(|| panic!("a link on the public URL: {stdout}"));
    let token = link.split("token=").nth(1).unwrap();

    // No password yet: nothing signs in.
    let attempt = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "newbie"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(attempt.status, StatusCode::UNAUTHORIZED);

    // The token is stored only as a hash.
    let raw = app
        .scalar(&format!(
            "select count(*) from password_tokens where token_hash = '{token}'"
        ))
        .await;
    assert_eq!(raw, 0);

    let weak = app
        .post_form(
            "/api/password/set",
            &[("token", token), ("password", "newbie")],
            None,
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);

    let set = app
        .post_form(
            "/api/password/set",
            &[("token", token), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(set.cookie().is_none(), "setting a password signs nobody in");
    app.sign_in("newbie", PASSWORD).await;

    let reused = app
        .post_form(
            "/api/password/set",
            &[("token", token), ("password", "another passphrase")],
            None,
        )
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link works once"
    );
}

async fn a_password_link_expires_and_a_newer_one_voids_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_user("forgetful", false).await;
    let first = app::password_links::server::issue(&app.state, id, 600)
        .await
        .unwrap();
    let second = app::password_links::server::issue(&app.state, id, 600)
        .await
        .unwrap();

    let voided = app
        .post_form(
            "/api/password/set",
            &[("token", &first), ("password", "a new passphrase")],
            None,
        )
        .await;
    assert_eq!(voided.status, StatusCode::UNPROCESSABLE_ENTITY);

    app.clock.advance(601);
    let expired = app
        .post_form(
            "/api/password/set",
            &[("token", &second), ("password", "a new passphrase")],
            None,
        )
        .await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_activity_log_refuses_update_and_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("logged", false).await;
    app.sign_in("logged", PASSWORD).await;
    let rows = app.scalar("select count(*) from activity_log").await;
    assert!(rows > 0);

    let update = sqlx::query("update activity_log set event = 'tampered'")
        .execute(app.state.db.pool())
        .await;
    assert!(update.is_err(), "update must be refused");
    let delete = sqlx::query("delete from activity_log")
        .execute(app.state.db.pool())
        .await;
    assert!(delete.is_err(), "delete must be refused");
    assert_eq!(app.scalar("select count(*) from activity_log").await, rows);
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'tampered'")
            .await,
        0
    );
}

async fn deleted_user_ids_are_never_reused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("first", false).await;
    let last = app.create_user("second", false).await;
    sqlx::query("delete from users where id = $1")
        .bind(last)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let next = app.create_user("third", false).await;
    assert!(next > last, "{next} reuses {last}");
}

/// The SQLite file and its folder are created on first start, under `data/` by default.
#[tokio::test]
async fn migrate_creates_a_missing_sqlite_database() {
    let dir = std::env::temp_dir().join(format!("gatehouse-migrate-{}", std::process::id()));
    let url = format!("sqlite:{}", dir.join("nested/gatehouse.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("migrate")
        .env("GATEHOUSE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.join("nested/gatehouse.db").exists());
}

on_both_backends!(
    setup_creates_the_first_admin_once_and_then_is_gone,
    setup_is_closed_when_an_account_exists_at_start,
    the_cli_creates_an_admin_who_can_then_sign_in,
    the_cli_refuses_invalid_input_with_field_messages,
    a_user_created_without_a_password_sets_it_through_a_one_time_link,
    a_password_link_expires_and_a_newer_one_voids_it,
    the_activity_log_refuses_update_and_delete,
    deleted_user_ids_are_never_reused,
);
