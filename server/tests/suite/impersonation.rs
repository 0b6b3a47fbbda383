//! Impersonation: who may start it, what it changes, what it refuses, and how every event in
//! between names both identities.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::json;

async fn start(app: &TestApp, cookie: &str, id: i64) -> crate::common::TestResponse {
    app.post_form(
        "/api/admin/users/impersonate",
        &[("id", &id.to_string())],
        Some(cookie),
    )
    .await
}

fn session_cookie(response: &crate::common::TestResponse) -> String {
    response.cookie().expect("a rotated session cookie")
}

async fn who(app: &TestApp, cookie: &str) -> serde_json::Value {
    app.get("/api/auth/me", Some(cookie)).await.json()
}

async fn each_refusal_rule_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    let other_root = app.create_user("other.root", true).await;
    let support_role = app
        .create_role(&root, "support", &["users.read", "users.impersonate"], &[])
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let broad_role = app
        .create_role(
            &root,
            "broad",
            &["users.read", "users.impersonate", "servers.read"],
            &[],
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let support_id = app.create_user("support", false).await;
    app.assign_role(support_id, support_role).await;
    let support = app.sign_in("support", PASSWORD).await;
    let broad_id = app.create_user("broad", false).await;
    app.assign_role(broad_id, broad_role).await;
    let plain = app.create_user("plain", false).await;

    // Oneself, a root admin (for a non-root), a broader user, without the key.
    assert_eq!(
        start(&app, &root, root_id).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        start(&app, &support, other_root).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        start(&app, &support, broad_id).await.status,
        StatusCode::FORBIDDEN
    );
    let nobody = app.signed_in_user("nobody", false).await;
    let response = start(&app, &nobody, plain).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.json()["missing"], "users.impersonate");

    // A locked account.
    sqlx::query("update users set failed_sign_ins = 100, failed_sign_ins_since = $1 where id = $2")
        .bind(app.clock_now())
        .bind(plain)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        start(&app, &support, plain).await.status,
        StatusCode::CONFLICT
    );
    sqlx::query("update users set failed_sign_ins = 0 where id = $1")
        .bind(plain)
        .execute(app.state.db.pool())
        .await
        .unwrap();

    // Without a finished sign-in (a two-factor checkpoint) there is no session to act from.
    let (_, recovery) = app.enable_two_factor(&root).await;
    let checkpoint = app
        .post_form(
            "/api/auth/login",
            &[("identifier", "root"), ("password", PASSWORD)],
            None,
        )
        .await
        .cookie()
        .unwrap();
    assert_eq!(
        start(&app, &checkpoint, plain).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A root admin may act as the support user; while doing so, nobody else.
    let root = app.sign_in_with_code("root", &recovery[0]).await;
    let started = start(&app, &root, support_id).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let acting = session_cookie(&started);
    assert_eq!(
        start(&app, &acting, plain).await.status,
        StatusCode::CONFLICT,
        "never nested"
    );
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'admin:impersonation.started'")
            .await,
        1
    );
}

async fn the_token_changes_at_start_and_stop_and_the_banner_names_both(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin", true).await;
    let admin = app.sign_in("admin", PASSWORD).await;
    let target = app.create_user("customer", false).await;

    let started = start(&app, &admin, target).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let acting = session_cookie(&started);
    assert_ne!(acting, admin);
    assert_eq!(
        app.get("/api/servers", Some(&admin)).await.status,
        StatusCode::UNAUTHORIZED,
        "the old token is dead"
    );
    let me = who(&app, &acting).await;
    assert_eq!(me["username"], "customer");
    assert_eq!(me["impersonated_by"], "admin");
    let page = app.get("/account", Some(&acting)).await;
    assert!(page
        .body
        .contains("You are acting as customer (impersonated by admin)"));
    assert!(
        page.body.contains("stay closed to you"),
        "the account pages say what is refused"
    );

    let stopped = app
        .post_form("/api/auth/stop-impersonating", &[], Some(&acting))
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    let back = session_cookie(&stopped);
    assert_ne!(back, acting);
    assert_eq!(
        app.get("/api/servers", Some(&acting)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = who(&app, &back).await;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["impersonated_by"], serde_json::Value::Null);
    // Stopping when nobody is impersonated is refused.
    assert_eq!(
        app.post_form("/api/auth/stop-impersonating", &[], Some(&back))
            .await
            .status,
        StatusCode::CONFLICT
    );
    // Both ends are in the target's own log.
    let events: Vec<String> = sqlx::query_scalar("select event from activity_log where subject_type = 'user' and subject_id = $1 order by id")
        .bind(target)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        events,
        ["admin:impersonation.started", "admin:impersonation.stopped"]
    );
}

async fn events_meanwhile_name_the_target_and_the_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin", true).await;
    let admin = app.sign_in("admin", PASSWORD).await;
    let owner = app.create_user("owner", false).await;
    let s = app.seed_server(owner, "a").await;
    let acting = session_cookie(&start(&app, &admin, owner).await);

    let response = app
        .post_form(
            "/api/servers/rename",
            &[
                ("id", &s.server.to_string()),
                ("name", "Renamed"),
                ("description", ""),
            ],
            Some(&acting),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let row: (String, Option<String>) = sqlx::query_as(
        "select actor_name, impersonator_name from activity_log where event = 'server:settings.renamed'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(row, ("owner".to_owned(), Some("admin".to_owned())));
    let page = app
        .get(
            &format!("/api/servers/activity?id={}", s.server),
            Some(&acting),
        )
        .await
        .json();
    assert_eq!(page["rows"][0]["impersonator"], "admin");
}

async fn the_targets_credentials_and_sessions_are_off_limits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin", true).await;
    let admin = app.sign_in("admin", PASSWORD).await;
    let target = app.create_user("customer", false).await;
    let acting = session_cookie(&start(&app, &admin, target).await);
    let before: (String, String) =
        sqlx::query_as("select password_hash, email from users where id = $1")
            .bind(target)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();

    let forms: [(&str, Vec<(&str, &str)>); 7] = [
        (
            "/api/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        ),
        (
            "/api/account/email",
            vec![
                ("current_password", PASSWORD),
                ("email", "taken.over@example.test"),
            ],
        ),
        ("/api/account/two-factor/start", vec![]),
        (
            "/api/account/two-factor/disable",
            vec![("password", PASSWORD), ("code", "000000")],
        ),
        (
            "/api/account/two-factor/recovery-codes",
            vec![("password", PASSWORD), ("code", "000000")],
        ),
        ("/api/account/sessions/revoke-others", vec![]),
        ("/api/account/sessions/revoke", vec![("id", "1")]),
    ];
    for (path, fields) in forms {
        let response = app.post_form(path, &fields, Some(&acting)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.get("/api/account/sessions", Some(&acting)).await.status,
        StatusCode::FORBIDDEN
    );
    let response = app
        .post_json(
            "/api/admin/users/delete",
            json!({ "id": target }),
            Some(&acting),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "the target has no users.delete"
    );
    let after: (String, String) =
        sqlx::query_as("select password_hash, email from users where id = $1")
            .bind(target)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(before, after);
    assert_eq!(
        app.scalar("select count(*) from sessions").await,
        1,
        "no session was ended"
    );
}

async fn it_ends_after_an_hour_and_with_the_admins_sign_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin", true).await;
    let admin = app.sign_in("admin", PASSWORD).await;
    let target = app.create_user("customer", false).await;
    let acting = session_cookie(&start(&app, &admin, target).await);
    app.clock.advance(3599);
    assert_eq!(who(&app, &acting).await["username"], "customer");
    app.clock.advance(2);
    assert_eq!(
        who(&app, &acting).await["username"],
        "admin",
        "the hour is over"
    );

    let acting = session_cookie(&start(&app, &admin_again(&app).await, target).await);
    let response = app.post_form("/api/auth/logout", &[], Some(&acting)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/servers", Some(&acting)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.scalar("select count(*) from sessions").await,
        1,
        "only the fresh sign-in's"
    );
}

async fn admin_again(app: &TestApp) -> String {
    app.sign_in("admin", PASSWORD).await
}

async fn stopping_works_when_the_policy_confines_the_target(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("admin", true).await;
    let admin = app.sign_in("admin", PASSWORD).await;
    let target = app.create_user("customer", false).await;
    let role = app
        .create_role(&admin, "strict", &[], &["control.console"])
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    sqlx::query("update roles set require_two_factor = 1 where id = $1")
        .bind(role)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.assign_role(target, role).await;
    let acting = session_cookie(&start(&app, &admin, target).await);
    assert_eq!(
        app.get("/api/servers", Some(&acting)).await.status,
        StatusCode::FORBIDDEN,
        "confined as the target"
    );
    let stopped = app
        .post_form("/api/auth/stop-impersonating", &[], Some(&acting))
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    assert_eq!(
        app.get("/api/servers", Some(&session_cookie(&stopped)))
            .await
            .status,
        StatusCode::OK
    );
}

on_both_backends!(
    each_refusal_rule_holds,
    the_token_changes_at_start_and_stop_and_the_banner_names_both,
    events_meanwhile_name_the_target_and_the_admin,
    the_targets_credentials_and_sessions_are_off_limits,
    it_ends_after_an_hour_and_with_the_admins_sign_out,
    stopping_works_when_the_policy_confines_the_target,
);
