//! User administration and its guards (design.md section 3), each refusal shown together with
//! the stored data being unchanged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};

/// A root admin, a delegated admin holding `keys`, and the delegated admin's role id.
async fn root_and_delegate(app: &TestApp, keys: &[&str]) -> (String, String, i64) {
    let root = app.signed_in_user("root", true).await;
    let role = app.create_role(&root, "Delegates", keys, &[]).await.json();
    let role_id = role["id"].as_i64().unwrap();
    let id = app.create_user("delegate", false).await;
    app.assign_role(id, role_id).await;
    let delegate = app.sign_in("delegate", PASSWORD).await;
    (root, delegate, role_id)
}

async fn user_row(app: &TestApp, id: i64) -> Value {
    serde_json::to_value(app::user_admin::server::get(&app.state, id).await.unwrap()).unwrap()
}

fn update(id: i64, user: &Value, changes: Value) -> Value {
    let mut input = json!({
        "email": user["email"], "first_name": user["first_name"], "last_name": user["last_name"],
        "language": user["language"], "role_id": user["role"]["id"], "is_admin": user["is_admin"],
    });
    for (key, value) in changes.as_object().unwrap() {
        input[key] = value.clone();
    }
    json!({ "id": id, "input": input })
}

const ALL_USER_KEYS: &[&str] = &[
    "users.create",
    "users.read",
    "users.update",
    "users.delete",
    "users.reset-password",
    "users.disable-two-factor",
];

async fn only_a_root_admin_sets_the_admin_flag(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, delegate, _) = root_and_delegate(&app, ALL_USER_KEYS).await;
    let create = json!({ "input": { "username": "wannabe", "email": "wannabe@example.test", "first_name": "W", "last_name": "B", "is_admin": true, "password": PASSWORD } });
    let refused = app
        .post_json("/api/admin/users/create", create.clone(), Some(&delegate))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("select count(*) from users where username = 'wannabe'")
            .await,
        0
    );

    let plain = app.create_user("plain", false).await;
    let before = user_row(&app, plain).await;
    let promote = update(plain, &before, json!({ "is_admin": true }));
    assert_eq!(
        app.post_json("/api/admin/users/update", promote.clone(), Some(&delegate))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_row(&app, plain).await, before);

    assert_eq!(
        app.post_json("/api/admin/users/update", promote, Some(&root))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(user_row(&app, plain).await["is_admin"], true);
}

async fn a_delegated_admin_cannot_touch_a_root_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, delegate, _) = root_and_delegate(&app, ALL_USER_KEYS).await;
    let other_root = app.create_user("root2", true).await;
    let before = user_row(&app, other_root).await;

    let edit = update(other_root, &before, json!({ "first_name": "Renamed" }));
    for (path, body) in [
        ("/api/admin/users/update", edit),
        ("/api/admin/users/delete", json!({ "id": other_root })),
        ("/api/admin/users/send-reset", json!({ "id": other_root })),
        (
            "/api/admin/users/disable-two-factor",
            json!({ "id": other_root }),
        ),
        ("/api/admin/users/unlock", json!({ "id": other_root })),
    ] {
        let response = app.post_json(path, body, Some(&delegate)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(user_row(&app, other_root).await, before);
    assert!(app.outbox().await.is_empty(), "no reset mail went out");
}

async fn nobody_assigns_a_role_broader_than_their_own(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, delegate, _) =
        root_and_delegate(&app, &["users.read", "users.update", "roles.assign"]).await;
    let broad = app
        .create_role(&root, "Broad", &["users.read", "users.delete"], &[])
        .await
        .json();
    let narrow = app
        .create_role(&root, "Narrow", &["users.read"], &[])
        .await
        .json();
    let target = app.create_user("target", false).await;
    let before = user_row(&app, target).await;

    let to_broad = update(target, &before, json!({ "role_id": broad["id"] }));
    let refused = app
        .post_json("/api/admin/users/update", to_broad, Some(&delegate))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["missing"], "users.delete");
    assert_eq!(user_row(&app, target).await, before);

    let to_narrow = update(target, &before, json!({ "role_id": narrow["id"] }));
    assert_eq!(
        app.post_json("/api/admin/users/update", to_narrow, Some(&delegate))
            .await
            .status,
        StatusCode::OK
    );
}

async fn assigning_any_role_needs_roles_assign(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, delegate, _) = root_and_delegate(&app, &["users.read", "users.update"]).await;
    let empty = app.create_role(&root, "Empty", &[], &[]).await.json();
    let target = app.create_user("target", false).await;
    let before = user_row(&app, target).await;
    let change = update(target, &before, json!({ "role_id": empty["id"] }));
    let refused = app
        .post_json("/api/admin/users/update", change, Some(&delegate))
        .await;
    assert_eq!(refused.json()["missing"], "roles.assign");
    assert_eq!(user_row(&app, target).await, before);
}

async fn nobody_deletes_themselves_or_the_last_root_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("only.root", true).await;
    let root_id = app
        .scalar("select id from users where username = 'only.root'")
        .await;
    let myself = app
        .post_json(
            "/api/admin/users/delete",
            json!({ "id": root_id }),
            Some(&root),
        )
        .await;
    assert_eq!(myself.status, StatusCode::CONFLICT);

    let before = user_row(&app, root_id).await;
    let demote = update(root_id, &before, json!({ "is_admin": false }));
    let refused = app
        .post_json("/api/admin/users/update", demote, Some(&root))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(user_row(&app, root_id).await, before);

    // With a second root, demoting one is fine; deleting the last one is not.
    let second = app.create_user("second.root", true).await;
    let second_cookie = app.sign_in("second.root", PASSWORD).await;
    let demote = update(root_id, &before, json!({ "is_admin": false }));
    assert_eq!(
        app.post_json("/api/admin/users/update", demote, Some(&second_cookie))
            .await
            .status,
        StatusCode::OK
    );
    let last = app
        .post_json(
            "/api/admin/users/delete",
            json!({ "id": second }),
            Some(&second_cookie),
        )
        .await;
    assert_eq!(
        last.status,
        StatusCode::CONFLICT,
        "nobody deletes themselves"
    );
    assert_eq!(
        app.scalar("select count(*) from users where is_admin = 1")
            .await,
        1
    );
}

async fn unknown_fields_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let body = json!({ "input": { "username": "extra", "email": "extra@example.test", "first_name": "E", "last_name": "X", "admin": true } });
    let response = app
        .post_json("/api/admin/users/create", body, Some(&root))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.scalar("select count(*) from users where username = 'extra'")
            .await,
        0
    );
}

async fn creating_without_a_password_mails_a_link_and_deleting_keeps_the_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let body = json!({ "input": { "username": "newcomer", "email": "newcomer@example.test", "first_name": "New", "last_name": "Comer", "language": "fr" } });
    let created = app
        .post_json("/api/admin/users/create", body, Some(&root))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["language"], "fr");
    let mail = app.outbox().await;
    assert!(mail
        .iter()
        .any(|m| m.to == "newcomer@example.test" && m.text.contains("/password/set?token=")));

    // Give the user a session and some history, then delete them.
    let token = app::password_links::server::issue(&app.state, id, 600)
        .await
        .unwrap();
    app.post_form(
        "/api/password/set",
        &[("token", &token), ("password", PASSWORD)],
        None,
    )
    .await;
    let session = app.sign_in("newcomer", PASSWORD).await;
    let rows_before = app
        .scalar(&format!(
            "select count(*) from activity_log where actor_id = {id}"
        ))
        .await;
    assert!(rows_before > 0);

    let deleted = app
        .post_json("/api/admin/users/delete", json!({ "id": id }), Some(&root))
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(
        app.get("/api/auth/me", Some(&session)).await.json(),
        Value::Null
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from sessions where user_id = {id}"
        ))
        .await,
        0
    );
    let kept = app
        .scalar(&format!(
            "select count(*) from activity_log where actor_id = {id} and actor_name = 'newcomer'"
        ))
        .await;
    assert_eq!(
        kept, rows_before,
        "activity rows survive, with the name kept"
    );
    let next = app.create_user("after.delete", false).await;
    assert!(next > id);
}

async fn search_matches_the_start_of_a_username_or_an_email_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    for n in 0..60 {
        let form = TestApp::form(
            &format!("player{n:02}"),
            &format!("p{n:02}@games.example.test"),
        );
        app::users::server::create(&app.state, &form).await.unwrap();
    }
    let first = app
        .get("/api/admin/users?query=Player", Some(&root))
        .await
        .json();
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    let after = first["next_after"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/admin/users?query=player&after={after}"),
            Some(&root),
        )
        .await
        .json();
    assert_eq!(second["rows"].as_array().unwrap().len(), 10);
    assert_eq!(second["next_after"], Value::Null);
    let by_email = app
        .get("/api/admin/users?query=p05%40", Some(&root))
        .await
        .json();
    assert_eq!(by_email["rows"][0]["username"], "player05");
    let odd = app
        .get(
            "/api/admin/users?query=%27%3B%20drop%20table%20users%3B--",
            Some(&root),
        )
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert_eq!(odd.json()["rows"].as_array().unwrap().len(), 0);
}

async fn an_admin_unlocks_a_locked_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let id = app.create_user("locked", false).await;
    for _ in 0..10 {
        app.post_form(
            "/api/auth/login",
            &[("identifier", "locked"), ("password", "wrong wrong wrong")],
            None,
        )
        .await;
    }
    assert_eq!(user_row(&app, id).await["locked"], true);
    let unlocked = app
        .post_json("/api/admin/users/unlock", json!({ "id": id }), Some(&root))
        .await;
    assert_eq!(unlocked.status, StatusCode::OK);
    app.sign_in("locked", PASSWORD).await;
}

async fn a_delegate_cannot_act_on_a_user_whose_role_is_broader(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, delegate, _) = root_and_delegate(&app, ALL_USER_KEYS).await;
    let big = app
        .create_role(&root, "Big", &["users.read", "roles.delete"], &[])
        .await
        .json();
    let target = app.create_user("big.holder", false).await;
    app.assign_role(target, big["id"].as_i64().unwrap()).await;
    let before = user_row(&app, target).await;

    let takeover = update(target, &before, json!({ "email": "attacker@evil.test" }));
    for (path, body) in [
        ("/api/admin/users/update", takeover),
        ("/api/admin/users/send-reset", json!({ "id": target })),
        (
            "/api/admin/users/disable-two-factor",
            json!({ "id": target }),
        ),
        ("/api/admin/users/unlock", json!({ "id": target })),
        ("/api/admin/users/delete", json!({ "id": target })),
    ] {
        let response = app.post_json(path, body, Some(&delegate)).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            response.body
        );
        assert_eq!(response.json()["missing"], "roles.delete", "{path}");
    }
    assert_eq!(user_row(&app, target).await, before);
}

async fn removing_a_role_is_an_assignment_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, delegate, _) = root_and_delegate(&app, &["users.read", "users.update"]).await;
    let small = app
        .create_role(&root, "Small", &["users.read"], &[])
        .await
        .json();
    let target = app.create_user("small.holder", false).await;
    app.assign_role(target, small["id"].as_i64().unwrap()).await;
    let before = user_row(&app, target).await;
    let strip = update(target, &before, json!({ "role_id": null }));
    let refused = app
        .post_json("/api/admin/users/update", strip, Some(&delegate))
        .await;
    assert_eq!(refused.json()["missing"], "roles.assign");
    assert_eq!(user_row(&app, target).await, before);
}

async fn own_account_changes_go_through_the_account_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, delegate, _) = root_and_delegate(&app, ALL_USER_KEYS).await;
    let me = app
        .scalar("select id from users where username = 'delegate'")
        .await;
    let before = user_row(&app, me).await;
    let sneaky = update(me, &before, json!({ "email": "new@evil.test" }));
    let refused = app
        .post_json("/api/admin/users/update", sneaky, Some(&delegate))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(user_row(&app, me).await, before);
}

async fn an_admin_email_change_tells_the_old_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let target = app.create_user("moved", false).await;
    let before = user_row(&app, target).await;
    let change = update(
        target,
        &before,
        json!({ "email": "moved.new@example.test" }),
    );
    assert_eq!(
        app.post_json("/api/admin/users/update", change, Some(&root))
            .await
            .status,
        StatusCode::OK
    );
    let mail = app.outbox().await;
    assert!(
        mail.iter()
            .any(|m| m.to == "moved@example.test" && m.text.contains("moved.new@example.test")),
        "{mail:?}"
    );
    let logged = app
        .scalar("select count(*) from activity_log where event = 'admin:user.updated' and details like '%moved.new@example.test%'")
        .await;
    assert_eq!(logged, 1);
}

on_both_backends!(
    a_delegate_cannot_act_on_a_user_whose_role_is_broader,
    removing_a_role_is_an_assignment_too,
    own_account_changes_go_through_the_account_pages,
    an_admin_email_change_tells_the_old_address,
    only_a_root_admin_sets_the_admin_flag,
    a_delegated_admin_cannot_touch_a_root_admin,
    nobody_assigns_a_role_broader_than_their_own,
    assigning_any_role_needs_roles_assign,
    nobody_deletes_themselves_or_the_last_root_admin,
    unknown_fields_are_refused,
    creating_without_a_password_mails_a_link_and_deleting_keeps_the_log,
    search_matches_the_start_of_a_username_or_an_email_and_pages,
    an_admin_unlocks_a_locked_account,
);
