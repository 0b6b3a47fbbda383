//! Many writers at once: no "database is locked" reaches a caller, and no save is silently
//! lost (security.md F1, F2), on both backends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp};
use http::StatusCode;
use serde_json::json;

async fn fifty_concurrent_writers_all_succeed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut cookies = Vec::new();
    for n in 0..50 {
        cookies.push(app.signed_in_user(&format!("writer{n:02}"), false).await);
    }
    // Every writer changes its profile (a write plus an activity row) at the same moment.
    let writes = cookies.iter().enumerate().map(|(n, cookie)| {
        let first = format!("Writer {n}");
        let app = &app;
        async move {
            app.post_form(
                "/api/account/profile",
                &[
                    ("first_name", &first),
                    ("last_name", "Busy"),
                    ("language", "en"),
                ],
                Some(cookie),
            )
            .await
        }
    });
    let responses = futures::future::join_all(writes).await;
    for response in &responses {
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        assert!(!response.body.to_lowercase().contains("locked"));
    }
    assert_eq!(
        app.scalar("select count(*) from users where last_name = 'Busy'")
            .await,
        50
    );
    assert_eq!(
        app.scalar("select count(*) from activity_log where event = 'account:profile.updated'")
            .await,
        50
    );
}

async fn concurrent_saves_of_one_role_land_or_conflict_and_none_is_lost(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let role = app.create_role(&root, "Contended", &[], &[]).await.json();
    let id = role["id"].as_i64().unwrap();

    let mut landed = 0;
    let mut conflicts = 0;
    for round in 0..20 {
        let version = app::roles::server::get(&app.state, id)
            .await
            .unwrap()
            .version;
        let saves = (0..50).map(|client| {
            let body = json!({
                "id": id, "version": version,
                "input": { "name": "Contended", "description": format!("round {round} client {client}") }
            });
            let app = &app;
            let root = &root;
            async move { (client, app.post_json("/api/admin/roles/update", body, Some(root)).await) }
        });
        let results = futures::future::join_all(saves).await;
        let winners: Vec<usize> = results
            .iter()
            .filter(|(_, r)| r.status == StatusCode::OK)
            .map(|(client, _)| *client)
            .collect();
        for (_, response) in &results {
            assert!(
                matches!(response.status, StatusCode::OK | StatusCode::CONFLICT),
                "{}: {}",
                response.status,
                response.body
            );
        }
        // Exactly one save of each version lands, and it is the one stored.
        assert_eq!(winners.len(), 1, "round {round}");
        let stored = app::roles::server::get(&app.state, id).await.unwrap();
        assert_eq!(
            stored.description,
            format!("round {round} client {}", winners[0])
        );
        assert_eq!(stored.version, version + 1);
        landed += 1;
        conflicts += results.len() - 1;
    }
    assert_eq!((landed, conflicts), (20, 20 * 49));
}

/// Fifty root admins at once, each going through a run of different writes: a sign-in, a
/// profile change, a role with permissions (several rows in one transaction), revoking their
/// other sessions and signing out. Every step of every writer answers 200.
async fn fifty_writers_of_different_tables_never_see_a_lock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for n in 0..50 {
        app.create_user(&format!("busy{n:02}"), true).await;
    }
    let writers = (0..50).map(|n| {
        let app = &app;
        async move {
            let username = format!("busy{n:02}");
            let login = app
                .post_form(
                    "/api/auth/login",
                    &[
                        ("identifier", &username),
                        ("password", crate::common::PASSWORD),
                    ],
                    None,
                )
                .await;
            let cookie = login.cookie();
            let mut answers = vec![("sign-in", login)];
            let Some(cookie) = cookie else {
                return answers;
            };
            let cookie = Some(cookie.as_str());
            let profile = [
                ("first_name", "Busy"),
                ("last_name", username.as_str()),
                ("language", "en"),
            ];
            answers.push((
                "profile",
                app.post_form("/api/account/profile", &profile, cookie)
                    .await,
            ));
            let role = json!({ "input": {
                "name": format!("Role of {username}"),
                "admin_permissions": ["users.read", "roles.read"],
                "server_permissions": ["control.console"],
            }});
            answers.push((
                "role",
                app.post_json("/api/admin/roles/create", role, cookie).await,
            ));
            answers.push((
                "revoke others",
                app.post_form("/api/account/sessions/revoke-others", &[], cookie)
                    .await,
            ));
            answers.push((
                "sign-out",
                app.post_form("/api/auth/logout", &[], cookie).await,
            ));
            answers
        }
    });
    let results = futures::future::join_all(writers).await;
    for answers in &results {
        assert_eq!(answers.len(), 5, "a sign-in failed: {}", answers[0].1.body);
        for (step, response) in answers {
            assert_eq!(response.status, StatusCode::OK, "{step}: {}", response.body);
            assert!(!response.body.to_lowercase().contains("locked"), "{step}");
        }
    }
    assert_eq!(
        app.scalar("select count(*) from roles where name like 'Role of busy%'")
            .await,
        50
    );
    assert_eq!(
        app.scalar("select count(*) from users where first_name = 'Busy'")
            .await,
        50
    );
}

/// Fifty clients each save one role twenty times, each save from the version they last read:
/// the saves interleave freely. Every save lands or gets 409; every landed save moved the
/// version by exactly one (so none overwrote another unseen), and each has its event.
async fn fifty_clients_saving_one_role_twenty_times_lose_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let role = app.create_role(&root, "Shared", &[], &[]).await.json();
    let id = role["id"].as_i64().unwrap();
    let first_version = app::roles::server::get(&app.state, id)
        .await
        .unwrap()
        .version;

    let clients = (0..50).map(|client| {
        let app = &app;
        let root = &root;
        async move {
            let mut landed = Vec::new();
            let mut conflicts = 0;
            for save in 0..20 {
                let current = app.get(&format!("/api/admin/roles/get?id={id}"), Some(root)).await;
                assert_eq!(current.status, StatusCode::OK, "{}", current.body);
                let version = current.json()["version"].as_i64().unwrap();
                let body = json!({
                    "id": id, "version": version,
                    "input": { "name": "Shared", "description": format!("client {client} save {save}") }
                });
                let response = app.post_json("/api/admin/roles/update", body, Some(root)).await;
                match response.status {
                    StatusCode::OK => landed.push(version),
                    StatusCode::CONFLICT => conflicts += 1,
                    other => panic!("client {client} save {save}: {other}: {}", response.body),
                }
            }
            (landed, conflicts)
        }
    });
    let results = futures::future::join_all(clients).await;

    let mut bases: Vec<i64> = results
        .iter()
        .flat_map(|(landed, _)| landed.clone())
        .collect();
    let conflicts: usize = results.iter().map(|(_, conflicts)| conflicts).sum();
    assert_eq!(bases.len() + conflicts, 50 * 20, "every save answered");
    let stored = app::roles::server::get(&app.state, id).await.unwrap();
    // Each landed save started from a different version, and together they are every version
    // from the first to the one stored: no save landed unseen on top of another.
    bases.sort_unstable();
    let expected: Vec<i64> = (first_version..stored.version).collect();
    assert_eq!(bases, expected);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from activity_log where event = 'admin:role.updated' and subject_id = {id}"
        ))
        .await,
        bases.len() as i64
    );
}

on_both_backends!(
    fifty_concurrent_writers_all_succeed,
    concurrent_saves_of_one_role_land_or_conflict_and_none_is_lost,
    fifty_writers_of_different_tables_never_see_a_lock,
    fifty_clients_saving_one_role_twenty_times_lose_nothing,
);
