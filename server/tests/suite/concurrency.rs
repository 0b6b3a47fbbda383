//! Many writers at once: no "database is locked" reaches a caller, and no save is silently
//! lost (security.md F1, F2).

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

on_both_backends!(
    fifty_concurrent_writers_all_succeed,
    concurrent_saves_of_one_role_land_or_conflict_and_none_is_lost,
);
