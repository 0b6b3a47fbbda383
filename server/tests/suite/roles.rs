//! Roles: the `roles.*` permissions, "nobody grants what they lack", conflicts, and the
//! two-factor requirement a role can add.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::json;

/// A root admin's cookie, and a delegated editor holding `admin` keys and `server` keys.
async fn root_and_editor(app: &TestApp, admin: &[&str], server: &[&str]) -> (String, String, i64) {
    let root = app.signed_in_user("root", true).await;
    let role = app.create_role(&root, "Editors", admin, server).await;
    assert_eq!(role.status, StatusCode::OK, "{}", role.body);
    let role_id = role.json()["id"].as_i64().unwrap();
    let editor_id = app.create_user("editor", false).await;
    app.assign_role(editor_id, role_id).await;
    let editor = app.sign_in("editor", PASSWORD).await;
    (root, editor, role_id)
}

async fn stored_role(app: &TestApp, id: i64) -> serde_json::Value {
    let role = app::roles::server::get(&app.state, id).await.unwrap();
    serde_json::to_value(role).unwrap()
}

async fn role_functions_need_their_permission(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plain = app.signed_in_user("plain", false).await;
    assert_eq!(
        app.get("/api/admin/roles", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = app.get("/api/admin/roles", Some(&plain)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["missing"], "roles.read");
    let create = app.create_role(&plain, "Sneaky", &[], &[]).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("select count(*) from roles").await, 0);
}

async fn a_root_admin_manages_roles_and_deleting_one_removes_it_from_its_holders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let created = app
        .create_role(
            &root,
            "Support",
            &["users.read", "users.reset-password", "users.read"],
            &["control.console"],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let role = created.json();
    assert_eq!(
        role["admin_permissions"],
        json!(["users.read", "users.reset-password"]),
        "stored once each"
    );
    let id = role["id"].as_i64().unwrap();

    let holder = app.create_user("helper", false).await;
    app.assign_role(holder, id).await;
    let list = app.get("/api/admin/roles", Some(&root)).await.json();
    assert_eq!(list[0]["holders"], 1);
    let holders = app
        .get(&format!("/api/admin/roles/holders?id={id}"), Some(&root))
        .await
        .json();
    assert_eq!(holders[0]["username"], "helper");

    let copy = app
        .post_json(
            "/api/admin/roles/duplicate",
            json!({ "id": id }),
            Some(&root),
        )
        .await;
    assert_eq!(copy.status, StatusCode::OK, "{}", copy.body);
    assert_eq!(copy.json()["name"], "Support (copy)");
    assert_eq!(copy.json()["admin_permissions"], role["admin_permissions"]);

    let same_name = app.create_role(&root, "SUPPORT", &[], &[]).await;
    assert_eq!(same_name.status, StatusCode::UNPROCESSABLE_ENTITY);

    let deleted = app
        .post_json("/api/admin/roles/delete", json!({ "id": id }), Some(&root))
        .await;
    assert_eq!(deleted.json(), 1, "one holder lost the role");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from users where id = {holder} and role_id is null"
        ))
        .await,
        1
    );
    let events = app
        .scalar("select count(*) from activity_log where event like 'admin:role.%'")
        .await;
    assert_eq!(events, 3);
}

async fn nobody_adds_an_admin_key_they_do_not_hold(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, editor, own_role) = root_and_editor(
        &app,
        &["roles.read", "roles.create", "roles.update", "users.read"],
        &[],
    )
    .await;

    // Creating a role with a key the editor lacks: refused, nothing stored.
    let refused = app
        .create_role(&editor, "Too much", &["users.delete"], &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["missing"], "users.delete");
    assert_eq!(app.scalar("select count(*) from roles").await, 1);

    // Adding it to their own role: refused, the role unchanged.
    let before = stored_role(&app, own_role).await;
    let update = json!({
        "id": own_role, "version": before["version"],
        "input": { "name": "Editors", "admin_permissions": ["roles.read", "roles.create", "roles.update", "users.read", "users.delete"] }
    });
    let refused = app
        .post_json("/api/admin/roles/update", update, Some(&editor))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_role(&app, own_role).await, before);

    // What they hold, they may grant.
    let allowed = app
        .create_role(&editor, "Readers", &["users.read"], &[])
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
}

async fn nobody_adds_a_server_key_their_role_does_not_grant(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, editor, _) = root_and_editor(&app, &["roles.create"], &["control.console"]).await;
    let refused = app
        .create_role(&editor, "Files", &[], &["files.delete"])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["missing"], "files.delete");
    let allowed = app
        .create_role(&editor, "Console", &[], &["control.console"])
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
}

async fn unknown_keys_and_unknown_fields_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let unknown = app
        .create_role(&root, "Odd", &["users.everything"], &[])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("admin_permissions"),
        "{}",
        unknown.body
    );
    let extra = app
        .post_json(
            "/api/admin/roles/create",
            json!({ "input": { "name": "Extra", "is_admin": true } }),
            Some(&root),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    let nul = app.create_role(&root, "nul\u{0}name", &[], &[]).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("select count(*) from roles").await, 0);
}

async fn the_second_save_of_a_stale_version_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("root", true).await;
    let role = app
        .create_role(&root, "Shared", &["users.read"], &[])
        .await
        .json();
    let id = role["id"].as_i64().unwrap();
    let save = |name: &str| json!({ "id": id, "version": role["version"], "input": { "name": name, "admin_permissions": ["users.read"] } });

    let first = app
        .post_json("/api/admin/roles/update", save("First"), Some(&root))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = app
        .post_json("/api/admin/roles/update", save("Second"), Some(&root))
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(
        stored_role(&app, id).await["name"],
        "First",
        "the first save is not lost"
    );
}

async fn removing_a_key_bites_on_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, editor, role_id) = root_and_editor(&app, &["roles.read"], &[]).await;
    assert_eq!(
        app.get("/api/admin/roles", Some(&editor)).await.status,
        StatusCode::OK
    );
    let version = stored_role(&app, role_id).await["version"].clone();
    let narrowed = json!({ "id": role_id, "version": version, "input": { "name": "Editors", "admin_permissions": [] } });
    assert_eq!(
        app.post_json("/api/admin/roles/update", narrowed, Some(&root))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/admin/roles", Some(&editor)).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_role_requiring_two_factor_confines_its_holders_until_they_enrol(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, editor, role_id) = root_and_editor(&app, &["roles.read"], &[]).await;
    let version = stored_role(&app, role_id).await["version"].clone();
    let strict = json!({ "id": role_id, "version": version, "input": { "name": "Editors", "require_two_factor": true, "admin_permissions": ["roles.read"] } });
    assert_eq!(
        app.post_json("/api/admin/roles/update", strict, Some(&root))
            .await
            .status,
        StatusCode::OK
    );

    // Same session, next request: confined.
    let confined = app.get("/api/admin/roles", Some(&editor)).await;
    assert_eq!(confined.status, StatusCode::FORBIDDEN);
    assert_eq!(confined.json()["kind"], "two_factor_required");
    let me = app.get("/api/auth/me", Some(&editor)).await.json();
    assert_eq!(
        (
            me["two_factor_required"].as_bool(),
            me["two_factor_enabled"].as_bool()
        ),
        (Some(true), Some(false))
    );
    // The account and enrolment still answer.
    assert_eq!(
        app.get("/api/account/sessions", Some(&editor)).await.status,
        StatusCode::OK
    );
    app.enable_two_factor(&editor).await;

    assert_eq!(
        app.get("/api/admin/roles", Some(&editor)).await.status,
        StatusCode::OK
    );
}

async fn the_global_policy_is_set_by_root_only_and_a_role_can_only_tighten_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, editor, _) = root_and_editor(&app, &["roles.read"], &[]).await;
    let plain = app.signed_in_user("plain", false).await;

    let refused = app
        .post_form(
            "/api/admin/settings/two-factor-policy/set",
            &[("policy", "none")],
            Some(&editor),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let set = app
        .post_form(
            "/api/admin/settings/two-factor-policy/set",
            &[("policy", "admins")],
            Some(&root),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    // Admins (root, and the editor holding an admin key) are confined; the plain user is not.
    assert_eq!(
        app.get("/api/admin/roles", Some(&editor)).await.json()["kind"],
        "two_factor_required"
    );
    let me = app.get("/api/auth/me", Some(&plain)).await.json();
    assert_eq!(me["two_factor_required"], false);
    // Root admins are admins too: they enrol before anything else.
    let root_roles = app.get("/api/admin/roles", Some(&root)).await;
    assert_eq!(root_roles.json()["kind"], "two_factor_required");
    assert_eq!(
        app.scalar(
            "select count(*) from activity_log where event = 'admin:two-factor-policy.changed'"
        )
        .await,
        1
    );
}

async fn nobody_loosens_or_deletes_a_role_broader_than_their_own(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (root, editor, _) =
        root_and_editor(&app, &["roles.read", "roles.update", "roles.delete"], &[]).await;
    let big = app
        .create_role(&root, "Big", &["roles.read", "users.delete"], &[])
        .await
        .json();
    let id = big["id"].as_i64().unwrap();
    let strict = json!({ "id": id, "version": big["version"], "input": { "name": "Big", "require_two_factor": true, "admin_permissions": ["roles.read", "users.delete"] } });
    assert_eq!(
        app.post_json("/api/admin/roles/update", strict, Some(&root))
            .await
            .status,
        StatusCode::OK
    );
    let before = stored_role(&app, id).await;

    let loosen = json!({ "id": id, "version": before["version"], "input": { "name": "Big", "require_two_factor": false, "admin_permissions": ["roles.read", "users.delete"] } });
    let refused = app
        .post_json("/api/admin/roles/update", loosen, Some(&editor))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let emptied = json!({ "id": id, "version": before["version"], "input": { "name": "Big", "admin_permissions": [] } });
    assert_eq!(
        app.post_json("/api/admin/roles/update", emptied, Some(&editor))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(
            "/api/admin/roles/delete",
            json!({ "id": id }),
            Some(&editor)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(stored_role(&app, id).await, before);
}

on_both_backends!(
    nobody_loosens_or_deletes_a_role_broader_than_their_own,
    role_functions_need_their_permission,
    a_root_admin_manages_roles_and_deleting_one_removes_it_from_its_holders,
    nobody_adds_an_admin_key_they_do_not_hold,
    nobody_adds_a_server_key_their_role_does_not_grant,
    unknown_keys_and_unknown_fields_are_refused,
    the_second_save_of_a_stale_version_is_a_conflict,
    removing_a_key_bites_on_the_next_request,
    a_role_requiring_two_factor_confines_its_holders_until_they_enrol,
    the_global_policy_is_set_by_root_only_and_a_role_can_only_tighten_it,
);
