//! The activity logs: the admin view's filters, paging and export; retention, with the pruner
//! as the only deleter; and no secret in any row after the product's flows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use app::activity::server::{prune, record, Entry};
use app::activity::Event;
use app::context::request::Origin;
use http::StatusCode;
use serde_json::{json, Value};

async fn add(
    app: &TestApp,
    at: i64,
    event: Event,
    actor: (i64, &str),
    subject: (&'static str, i64),
    details: Value,
) {
    let entry = Entry::new(event)
        .actor(actor.0, actor.1)
        .subject(subject.0, subject.1)
        .details(details);
    record(&app.state.db, at, &Origin::default(), entry).await;
}

fn events(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_admin_log_filters_pages_and_exports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    let day = 86_400;
    let t0 = app.clock_now();
    for n in 0..60 {
        add(
            &app,
            t0 + n,
            Event::UserCreated,
            (7, "alice"),
            ("user", 100 + n),
            json!({ "n": n }),
        )
        .await;
    }
    add(
        &app,
        t0 + 2 * day,
        Event::ServerRenamed,
        (8, "bob"),
        ("server", 5),
        json!({ "to": "=HYPERLINK(\"x\")" }),
    )
    .await;

    // Event type, actor, subject, time range.
    let page = app
        .get(
            "/api/admin/activity?event=server%3Asettings.renamed",
            Some(&root),
        )
        .await
        .json();
    assert_eq!(events(&page), ["server:settings.renamed"]);
    assert_eq!(
        page["rows"][0]["details"],
        "{\"to\":\"=HYPERLINK(\\\"x\\\")\"}"
    );
    let page = app
        .get("/api/admin/activity?actor=bob", Some(&root))
        .await
        .json();
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    let page = app
        .get(
            "/api/admin/activity?subject_type=user&subject_id=110",
            Some(&root),
        )
        .await
        .json();
    assert_eq!(page["rows"][0]["details"], "{\"n\":10}");
    let page = app
        .get(
            &format!("/api/admin/activity?from={}&to={}", t0 + day, t0 + 3 * day),
            Some(&root),
        )
        .await
        .json();
    assert_eq!(events(&page), ["server:settings.renamed"]);

    // Keyset paging: 50, then the rest, no row twice.
    let first = app
        .get("/api/admin/activity?actor=alice", Some(&root))
        .await
        .json();
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    let before = first["next_before"].as_i64().unwrap();
    let second = app
        .get(
            &format!("/api/admin/activity?actor=alice&before={before}"),
            Some(&root),
        )
        .await
        .json();
    assert_eq!(second["rows"].as_array().unwrap().len(), 10);
    assert_eq!(second["next_before"], Value::Null);
    assert!(second["rows"][0]["id"].as_i64().unwrap() < before);

    // SQL in a filter is data.
    let page = app
        .get(
            "/api/admin/activity?actor=%27%20or%201%3D1%20--",
            Some(&root),
        )
        .await
        .json();
    assert!(page["rows"].as_array().unwrap().is_empty());

    // The export holds the filtered rows, with formulas defused and quotes doubled.
    let csv: String = serde_json::from_str(
        &app.get("/api/admin/activity/export?actor=bob", Some(&root))
            .await
            .body,
    )
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,time_utc,event"));
    assert!(lines[1].contains("server:settings.renamed") && lines[1].contains("bob"));
    assert!(
        lines[1].contains("\"{\"\"to\"\":\"\"=HYPERLINK(\\\"\"x\\\"\")\"\"}\""),
        "{}",
        lines[1]
    );
    let all: String = serde_json::from_str(
        &app.get("/api/admin/activity/export", Some(&root))
            .await
            .body,
    )
    .unwrap();
    assert!(all.lines().count() > 61);

    // The page renders, rows expandable.
    let html = app.get("/admin/activity?actor=bob", Some(&root)).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("<details>") && html.body.contains("Renamed the server"));
}

async fn retention_prunes_each_kind_and_nothing_else_deletes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    let now = app.clock_now();
    let old = now - 40 * 86_400;
    add(
        &app,
        old,
        Event::SignInSucceeded,
        (1, "root"),
        ("user", 1),
        Value::Null,
    )
    .await;
    add(
        &app,
        old,
        Event::ServerRenamed,
        (1, "root"),
        ("server", 1),
        Value::Null,
    )
    .await;
    add(
        &app,
        old,
        Event::UserCreated,
        (1, "root"),
        ("user", 2),
        Value::Null,
    )
    .await;
    add(
        &app,
        now,
        Event::SignInSucceeded,
        (1, "root"),
        ("user", 1),
        Value::Null,
    )
    .await;

    // Nothing but the pruner may delete or change a row.
    assert!(sqlx::query("delete from activity_log")
        .execute(app.state.db.pool())
        .await
        .is_err());
    assert!(sqlx::query("update activity_log set actor_name = 'x'")
        .execute(app.state.db.pool())
        .await
        .is_err());

    // Forever by default.
    assert_eq!(prune(&app.state).await.unwrap(), 0);
    let response = app
        .post_form(
            "/api/admin/settings/retention/set",
            &[
                ("account_days", "30"),
                ("server_days", "0"),
                ("admin_days", "90"),
            ],
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let bad = app
        .post_form(
            "/api/admin/settings/retention/set",
            &[
                ("account_days", "-1"),
                ("server_days", "0"),
                ("admin_days", "0"),
            ],
            Some(&root),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/admin/settings/retention", Some(&root))
            .await
            .json()["account_days"],
        30
    );

    let dump: Vec<(String, i64)> =
        sqlx::query_as("select event, created_at from activity_log order by id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        prune(&app.state).await.unwrap(),
        1,
        "only the old sign-in: {dump:?} now {now}"
    );
    let left: Vec<String> =
        sqlx::query_scalar("select event from activity_log where created_at = $1 order by id")
            .bind(old)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(left, ["server:settings.renamed", "admin:user.created"]);
    assert_eq!(app.scalar(&format!("select count(*) from activity_log where event = 'auth:sign-in.succeeded' and created_at = {now}")).await, 2, "the recent ones (the test's own sign-in too) stay");
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'system:activity.pruned'")
            .await,
        1
    );
    // The mark is gone with the pruner's transaction: deleting is refused again.
    assert!(sqlx::query("delete from activity_log")
        .execute(app.state.db.pool())
        .await
        .is_err());
}

async fn rows_outlive_the_user_they_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    app.create_user("leaver", false).await;
    let leaver = app.sign_in("leaver", PASSWORD).await;
    app.post_form(
        "/api/account/profile",
        &[
            ("first_name", "Lea"),
            ("last_name", "Ver"),
            ("language", "en"),
        ],
        Some(&leaver),
    )
    .await;
    let id = app
        .scalar("select id from users where username = 'leaver'")
        .await;
    let response = app
        .post_json("/api/admin/users/delete", json!({ "id": id }), Some(&root))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let page = app
        .get("/api/admin/activity?actor=leaver", Some(&root))
        .await
        .json();
    assert!(events(&page).contains(&"account:profile.updated".to_owned()));
}

/// Runs the product's sensitive flows in one panel, then reads every activity row: no
/// password, code, token, secret or session id may appear in any column.
async fn no_secret_reaches_any_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    let mut secrets: Vec<String> = vec![PASSWORD.into(), s.secret.clone()];
    for cookie in [&root, &owner] {
        secrets.push(cookie.split('=').nth(1).unwrap().to_owned());
    }

    // Two-factor: the secret and the recovery codes.
    let (totp, codes) = app.enable_two_factor(&owner).await;
    secrets.push(totp);
    secrets.extend(codes.clone());
    let again = app.sign_in_with_code("owner", &codes[0]).await;
    secrets.push(again.split('=').nth(1).unwrap().to_owned());
    // A wrong password on a change, a new password, a reset link.
    let new_password = "another long passphrase 42";
    app.post_form(
        "/api/account/password",
        &[
            ("current_password", "wrong password here"),
            ("new_password", new_password),
        ],
        Some(&again),
    )
    .await;
    app.post_form(
        "/api/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", new_password),
        ],
        Some(&again),
    )
    .await;
    secrets.push(new_password.into());
    app.post_form(
        "/api/password/forgot",
        &[("email", "owner@example.test")],
        None,
    )
    .await;
    for mail in app.outbox().await {
        if let Some(link) = mail.link("http://127.0.0.1:3000/password/set?token=") {
            secrets.push(link.split("token=").nth(1).unwrap().to_owned());
        }
    }
    // A node secret, a backup secret, a daemon token and its id, an invitation link.
    let node = app
        .post_json("/api/admin/nodes/create", json!({"input": {"name": "n", "location_id": s.location, "fqdn": "n.example.test", "memory_mb": 1, "disk_mb": 1}}), Some(&root))
        .await
        .json();
    secrets.push(node["daemon_secret"].as_str().unwrap().to_owned());
    let backup_secret = "backup-secret-value-for-scan";
    app.post_json("/api/admin/backup-configurations/create", json!({"input": {"name": "b", "kind": "restic", "repository": "/r", "secret": backup_secret}}), Some(&root)).await;
    secrets.push(backup_secret.into());
    let token = app
        .post_form(
            "/api/servers/daemon-token",
            &[("id", &s.server.to_string()), ("purpose", "console")],
            Some(&root),
        )
        .await
        .json();
    let token = token["token"].as_str().unwrap().to_owned();
    let claims = app::daemon::server::verify(&token, &s.secret, s.node, app.clock_now()).unwrap();
    secrets.push(token);
    secrets.push(claims.jti);
    app.post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "invitee@example.test", "permissions": ["control.console"]}), Some(&root)).await;
    for mail in app.outbox().await {
        if let Some(link) = mail.link("http://127.0.0.1:3000/password/set?token=") {
            secrets.push(link.split("token=").nth(1).unwrap().to_owned());
        }
    }
    // An impersonation, with its rotated tokens.
    let started = app
        .post_form(
            "/api/admin/users/impersonate",
            &[("id", &owner_id.to_string())],
            Some(&root),
        )
        .await;
    let acting = started.cookie().unwrap();
    secrets.push(acting.split('=').nth(1).unwrap().to_owned());
    let stopped = app
        .post_form("/api/auth/stop-impersonating", &[], Some(&acting))
        .await;
    secrets.push(
        stopped
            .cookie()
            .unwrap()
            .split('=')
            .nth(1)
            .unwrap()
            .to_owned(),
    );

    let rows: Vec<String> = sqlx::query_scalar(
        "select coalesce(event, '') || '|' || coalesce(actor_name, '') || '|' || coalesce(impersonator_name, '') || '|' || \
         coalesce(subject_type, '') || '|' || coalesce(ip, '') || '|' || coalesce(user_agent, '') || '|' || coalesce(details, '') \
         from activity_log",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert!(rows.len() > 10, "the flows were recorded: {}", rows.len());
    let session_ids: Vec<i64> = sqlx::query_scalar("select id from sessions")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    for row in &rows {
        for secret in &secrets {
            assert!(!row.contains(secret.as_str()), "a secret in the log: {row}");
        }
        assert!(!row.contains("session_id"), "{row}");
    }
    assert!(!session_ids.is_empty());
}

on_both_backends!(
    the_admin_log_filters_pages_and_exports,
    retention_prunes_each_kind_and_nothing_else_deletes,
    rows_outlive_the_user_they_name,
    no_secret_reaches_any_row,
);
