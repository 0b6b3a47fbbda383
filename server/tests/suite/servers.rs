//! Servers as their users reach them: effective permissions from ownership, sub-user grants
//! and roles; the sub-user rules; startup variables; activity; and daemon tokens.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use app::daemon::server::{verify, Rejected};
use app::permissions::ServerPermission;
use http::StatusCode;
use serde_json::{json, Value};

/// Gives `user_id` a grant on `server_id`, directly in storage.
async fn grant(app: &TestApp, server_id: i64, user_id: i64, keys: &[&str]) -> i64 {
    use sqlx::Row;
    sqlx::query(
        "insert into subusers (server_id, user_id, permissions, created_at, updated_at) \
         values ($1, $2, $3, 0, 0) returning id",
    )
    .bind(server_id)
    .bind(user_id)
    .bind(serde_json::to_string(keys).unwrap())
    .fetch_one(app.state.db.pool())
    .await
    .unwrap()
    .try_get::<i64, _>(0)
    .unwrap()
}

/// Keys as the server returns them: in catalogue order.
fn in_catalogue_order(wanted: &[&str]) -> Vec<String> {
    let set: std::collections::BTreeSet<ServerPermission> = wanted
        .iter()
        .map(|k| ServerPermission::from_key(k).unwrap())
        .collect();
    set.iter().map(|p| p.key().to_owned()).collect()
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

async fn subusers_grant_only_what_they_hold_and_never_edit_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    let helper_id = app.create_user("helper", false).await;
    let helper_grant = grant(
        &app,
        s.server,
        helper_id,
        &["subusers.read", "subusers.update", "control.console"],
    )
    .await;
    let helper = app.sign_in("helper", PASSWORD).await;
    let other_id = app.create_user("other", false).await;
    let other_grant = grant(&app, s.server, other_id, &["control.console"]).await;

    // A key the helper lacks cannot be given to another sub-user.
    let response = app
        .post_json("/api/servers/subusers/update", json!({"server_id": s.server, "subuser_id": other_grant, "permissions": ["control.console", "files.delete"]}), Some(&helper))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.json()["missing"], "files.delete");
    // Creating needs subusers.create, and a creator still grants only what they hold.
    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "new@example.test", "permissions": ["files.read"]}), Some(&helper))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let creator_id = app.create_user("creator", false).await;
    grant(
        &app,
        s.server,
        creator_id,
        &["subusers.create", "control.console"],
    )
    .await;
    let creator = app.sign_in("creator", PASSWORD).await;
    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "new@example.test", "permissions": ["files.read"]}), Some(&creator))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.json()["missing"], "files.read");
    // Nobody edits their own grant, even with keys they hold.
    let response = app
        .post_json("/api/servers/subusers/update", json!({"server_id": s.server, "subuser_id": helper_grant, "permissions": ["control.console"]}), Some(&helper))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("select count(*) from users where email_canonical = 'new@example.test'")
            .await,
        0
    );
    let stored = app.scalar(&format!("select count(*) from subusers where id = {other_grant} and permissions = '[\"control.console\"]'")).await;
    assert_eq!(stored, 1, "the refused edit changed nothing");

    // The owner can do all three.
    let response = app
        .post_json("/api/servers/subusers/update", json!({"server_id": s.server, "subuser_id": other_grant, "permissions": ["control.console", "files.delete"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "new@example.test", "permissions": ["files.read"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = app
        .post_json("/api/servers/subusers/update", json!({"server_id": s.server, "subuser_id": helper_grant, "permissions": ["subusers.read"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);

    // The owner is never a sub-user.
    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "owner@example.test", "permissions": ["files.read"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn grants_are_stored_once_and_come_back_as_arrays(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    app.create_user("friend", false).await;

    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "FRIEND@example.test", "permissions": ["files.read", "control.console", "files.read", "control.console"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        keys(&response.json()["permissions"]),
        ["control.console", "files.read"]
    );
    assert_eq!(
        response.json()["username"],
        "friend",
        "the existing account was used"
    );
    let stored = app.scalar("select count(*) from subusers where permissions = '[\"control.console\",\"files.read\"]'").await;
    assert_eq!(stored, 1);
    let listed = app
        .get(
            &format!("/api/servers/subusers?server_id={}", s.server),
            Some(&owner),
        )
        .await;
    assert_eq!(
        keys(&listed.json()[0]["permissions"]),
        ["control.console", "files.read"]
    );
    // An existing account is told by mail.
    let mail = app.outbox().await;
    assert!(mail
        .iter()
        .any(|m| m.to == "friend@example.test" && m.subject.contains("added to the server")));

    // Unknown keys and empty grants are refused.
    for permissions in [json!(["files.nope"]), json!([])] {
        let response = app
            .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "x@example.test", "permissions": permissions}), Some(&owner))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

async fn an_invitation_makes_an_account_with_a_valid_unique_username(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    app.create_user("jane.doe", false).await;

    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "Jane.Doe+games@other.test", "permissions": ["control.console"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let username = response.json()["username"].as_str().unwrap().to_owned();
    assert_eq!(username, "jane.doe_games");
    let second = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "jane.doe@third.test", "permissions": ["control.console"]}), Some(&owner))
        .await;
    assert_eq!(
        second.json()["username"],
        "jane.doe2",
        "a taken name gets a number"
    );

    // The new person gets a link to set a password, and can then sign in and see the server.
    let mail = app.outbox().await;
    let invite = mail
        .iter()
        .find(|m| m.to == "Jane.Doe+games@other.test")
        .expect("an invitation");
    assert!(invite.subject.contains("invited"));
    let link = invite
        .link("http://127.0.0.1:3000/password/set?token=")
        .unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let set = app
        .post_form(
            "/api/password/set",
            &[("token", token), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let cookie = app.sign_in(&username, PASSWORD).await;
    let server = app
        .get(&format!("/api/servers/get?id={}", s.server), Some(&cookie))
        .await;
    assert_eq!(keys(&server.json()["permissions"]), ["control.console"]);
}

async fn a_server_is_not_found_outside_its_users_and_removal_bites_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_a_id = app.create_user("owner.a", false).await;
    let owner_b_id = app.create_user("owner.b", false).await;
    let owner_b = app.sign_in("owner.b", PASSWORD).await;
    let a = app.seed_server(owner_a_id, "a").await;
    let b = app.seed_server(owner_b_id, "b").await;
    let user_id = app.create_user("player", false).await;
    let grant_a = grant(
        &app,
        a.server,
        user_id,
        &["control.console", "subusers.read", "subusers.delete"],
    )
    .await;
    let player = app.sign_in("player", PASSWORD).await;

    // B's id, for someone who only knows A: 404 everywhere, and nothing changes.
    for path in [
        format!("/api/servers/get?id={}", b.server),
        format!("/api/servers/subusers?server_id={}", b.server),
        format!("/api/servers/activity?id={}", b.server),
    ] {
        assert_eq!(
            app.get(&path, Some(&player)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let response = app
        .post_form(
            "/api/servers/rename",
            &[
                ("id", &b.server.to_string()),
                ("name", "mine"),
                ("description", ""),
            ],
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    // A's sub-user id on B's server: not found either, even for B's owner.
    let response = app
        .post_json(
            "/api/servers/subusers/delete",
            json!({"server_id": b.server, "subuser_id": grant_a}),
            Some(&owner_b),
        )
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(app.scalar("select count(*) from subusers").await, 1);
    assert_eq!(
        app.scalar("select count(*) from servers where name = 'mine'")
            .await,
        0
    );

    // On A, a key the player lacks is 403, not 404.
    let response = app
        .post_form(
            "/api/servers/rename",
            &[
                ("id", &a.server.to_string()),
                ("name", "mine"),
                ("description", ""),
            ],
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.json()["missing"], "settings.rename");

    // The list shows A only.
    let list = app.get("/api/servers", Some(&player)).await.json();
    let ids: Vec<i64> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a.server]);
    assert_eq!(list["rows"][0]["relation"], "subuser");

    // Removed: the very next request is 404.
    sqlx::query("delete from subusers where id = $1")
        .bind(grant_a)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let response = app
        .get(&format!("/api/servers/get?id={}", a.server), Some(&player))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(app.get("/api/servers", Some(&player)).await.json()["rows"]
        .as_array()
        .unwrap()
        .is_empty());
}

async fn a_role_reaches_every_server_with_exactly_its_keys_and_never_removes_a_grant(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.create_user("root", true).await;
    let root = app.sign_in("root", PASSWORD).await;
    let owner_id = app.create_user("owner", false).await;
    let s = app.seed_server(owner_id, "a").await;
    let role = app
        .create_role(&root, "support", &[], &["control.console", "files.read"])
        .await;
    let role_id = role.json()["id"].as_i64().unwrap();

    let staff_id = app.create_user("staff", false).await;
    app.assign_role(staff_id, role_id).await;
    let staff = app.sign_in("staff", PASSWORD).await;
    let view = app
        .get(&format!("/api/servers/get?id={}", s.server), Some(&staff))
        .await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(
        keys(&view.json()["permissions"]),
        ["control.console", "files.read"]
    );
    // Not in "my servers", but in "all servers".
    assert!(app.get("/api/servers", Some(&staff)).await.json()["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    let all = app.get("/api/servers?all=true", Some(&staff)).await.json();
    assert_eq!(all["rows"][0]["relation"], "panel");
    assert_eq!(all["can_list_all"], true);

    let shared_id = app.create_user("shared", false).await;
    app.assign_role(shared_id, role_id).await;
    grant(&app, s.server, shared_id, &["files.delete"]).await;
    let shared = app.sign_in("shared", PASSWORD).await;
    let view = app
        .get(&format!("/api/servers/get?id={}", s.server), Some(&shared))
        .await;
    assert_eq!(
        keys(&view.json()["permissions"]),
        in_catalogue_order(&["control.console", "files.read", "files.delete"])
    );

    // A user with neither grant nor role sees nothing.
    app.create_user("stranger", false).await;
    let stranger = app.sign_in("stranger", PASSWORD).await;
    let response = app
        .get(
            &format!("/api/servers/get?id={}", s.server),
            Some(&stranger),
        )
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/servers?all=true", Some(&stranger))
            .await
            .json()["can_list_all"],
        false
    );
    assert!(app
        .get("/api/servers?all=true", Some(&stranger))
        .await
        .json()["rows"]
        .as_array()
        .unwrap()
        .is_empty());
}

async fn startup_shows_and_changes_only_what_the_egg_allows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let s = app.seed_server(owner_id, "a").await;
    let user_id = app.create_user("player", false).await;
    let grant_id = grant(&app, s.server, user_id, &["startup.read", "startup.update"]).await;
    let player = app.sign_in("player", PASSWORD).await;

    let startup = app
        .get(
            &format!("/api/servers/startup?id={}", s.server),
            Some(&player),
        )
        .await
        .json();
    let names: Vec<&str> = startup["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["env_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["SERVER_JAR"], "the hidden variable stays hidden");
    assert_eq!(
        startup["docker_images"],
        json!([]),
        "no image choice without startup.docker-image"
    );

    let update = |values: Value, image: Value| json!({"id": s.server, "values": values, "docker_image": image});
    let response = app
        .post_json(
            "/api/servers/startup/update",
            update(json!({"SERVER_JAR": "paper.jar"}), Value::Null),
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = app
        .post_json(
            "/api/servers/startup/update",
            update(json!({"SERVER_JAR": "x".repeat(21)}), Value::Null),
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json()["fields"][0]["field"],
        "variables.SERVER_JAR"
    );
    let response = app
        .post_json(
            "/api/servers/startup/update",
            update(json!({"HIDDEN": "y"}), Value::Null),
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let response = app
        .post_json(
            "/api/servers/startup/update",
            update(json!({}), json!("img:b")),
            Some(&player),
        )
        .await;
    assert_eq!(response.json()["missing"], "startup.docker-image");
    let stored = app.scalar("select count(*) from servers where variables like '%paper.jar%' and variables like '%\"HIDDEN\":\"x\"%' and docker_image = 'img:a'").await;
    assert_eq!(stored, 1);

    // Narrowing the grant bites on the next request.
    sqlx::query("update subusers set permissions = '[\"startup.read\"]' where id = $1")
        .bind(grant_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let response = app
        .post_json(
            "/api/servers/startup/update",
            update(json!({"SERVER_JAR": "a.jar"}), Value::Null),
            Some(&player),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
}

async fn server_activity_records_actions_and_shows_addresses_only_with_read_ip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    let response = app
        .post_form(
            "/api/servers/rename",
            &[
                ("id", &s.server.to_string()),
                ("name", "Survival"),
                ("description", "Main world"),
            ],
            Some(&owner),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json()["name"], "Survival");

    let reader_id = app.create_user("reader", false).await;
    grant(&app, s.server, reader_id, &["activity.read"]).await;
    let reader = app.sign_in("reader", PASSWORD).await;
    let page = app
        .get(
            &format!("/api/servers/activity?id={}", s.server),
            Some(&reader),
        )
        .await
        .json();
    let row = &page["rows"][0];
    assert_eq!(row["event"], "server:settings.renamed");
    assert_eq!(row["actor"], "owner");
    assert_eq!(
        row["ip"],
        Value::Null,
        "no address without activity.read-ip"
    );
    let page = app
        .get(
            &format!("/api/servers/activity?id={}", s.server),
            Some(&owner),
        )
        .await
        .json();
    assert_eq!(page["rows"][0]["ip"], "127.0.0.1");
}

async fn daemon_tokens_carry_exactly_the_effective_permissions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    let other = app.seed_server(owner_id, "b").await;
    let user_id = app.create_user("player", false).await;
    let grant_id = grant(&app, s.server, user_id, &["control.console", "files.read"]).await;
    let player = app.sign_in("player", PASSWORD).await;
    let now = app.clock_now();

    let issue = |cookie: String, purpose: &'static str| {
        let app = &app;
        let server = s.server.to_string();
        async move {
            app.post_form(
                "/api/servers/daemon-token",
                &[("id", server.as_str()), ("purpose", purpose)],
                Some(&cookie),
            )
            .await
        }
    };
    let response = issue(player.clone(), "console").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let token = response.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(response.json()["url"], "https://a.example.test:8080");
    let claims = verify(&token, &s.secret, s.node, now).unwrap();
    assert_eq!(
        claims.permissions,
        vec![
            ServerPermission::ControlConsole,
            ServerPermission::FilesRead
        ]
    );
    assert_eq!((claims.user_id, claims.server_id), (user_id, s.server));
    assert_eq!(claims.expires_at, now + 600);

    // The owner's token carries every key.
    let owners = issue(owner.clone(), "files").await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = verify(&owners, &s.secret, s.node, now).unwrap();
    assert_eq!(claims.permissions.len(), ServerPermission::ALL.len());

    // Expired, or checked by another node, it fails.
    assert_eq!(
        verify(&token, &s.secret, s.node, now + 600).unwrap_err(),
        Rejected::Expired
    );
    assert_eq!(
        verify(&token, &other.secret, other.node, now).unwrap_err(),
        Rejected::BadSignature
    );
    assert_eq!(
        verify(&token, &s.secret, other.node, now).unwrap_err(),
        Rejected::WrongNode
    );

    // No key of the purpose's group, no token.
    sqlx::query("update subusers set permissions = '[\"files.read\"]' where id = $1")
        .bind(grant_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let response = issue(player.clone(), "console").await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let files = issue(player.clone(), "files").await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let files_id = verify(&files, &s.secret, s.node, now).unwrap().jti;

    // Removing the sub-user revokes their live tokens; the node reads them with its secret.
    let response = app
        .post_json(
            "/api/servers/subusers/delete",
            json!({"server_id": s.server, "subuser_id": grant_id}),
            Some(&owner),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let read = |node: i64, secret: String| {
        let app = &app;
        async move {
            let request = http::Request::builder()
                .uri("/api/daemon/revoked-tokens")
                .header(http::header::HOST, "127.0.0.1:3000")
                .header(http::header::ACCEPT, "application/json")
                .header(
                    http::header::AUTHORIZATION,
                    format!("Bearer {node}.{secret}"),
                )
                .body(axum::body::Body::empty())
                .unwrap();
            app.send(request).await
        }
    };
    let revoked = read(s.node, s.secret.clone()).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let revoked = keys(&revoked.json());
    let first_id = verify(&token, &s.secret, s.node, now).unwrap().jti;
    assert!(
        revoked.contains(&first_id) && revoked.contains(&files_id),
        "{revoked:?}"
    );
    let owners_id = verify(&owners, &s.secret, s.node, now).unwrap().jti;
    assert!(
        !revoked.contains(&owners_id),
        "the owner's token stays valid"
    );
    assert!(keys(&read(other.node, other.secret.clone()).await.json()).is_empty());
    assert_eq!(
        read(s.node, "wrong".into()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        read(999, s.secret.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The token id never reaches the activity log.
    let leaked = app
        .scalar(&format!(
            "select count(*) from activity_log where details like '%{first_id}%'"
        ))
        .await;
    assert_eq!(leaked, 0);
}

async fn a_server_has_at_most_fifty_subusers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner_id = app.create_user("owner", false).await;
    let owner = app.sign_in("owner", PASSWORD).await;
    let s = app.seed_server(owner_id, "a").await;
    for n in 0..50 {
        let id = app.create_user(&format!("member{n}"), false).await;
        grant(&app, s.server, id, &["control.console"]).await;
    }
    let response = app
        .post_json("/api/servers/subusers/create", json!({"server_id": s.server, "email": "one.more@example.test", "permissions": ["control.console"]}), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        app.scalar("select count(*) from users where email_canonical = 'one.more@example.test'")
            .await,
        0,
        "no account made for nothing"
    );
}

/// A user's list holds exactly the servers they own or share, in id order, among servers of
/// others; a root admin's "all" holds every one.
async fn the_own_list_is_owned_and_shared_servers_among_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("list.root", true).await;
    let mine = app.create_user("list.mine", false).await;
    let other = app.create_user("list.other", false).await;
    let cookie = app.sign_in("list.mine", crate::common::PASSWORD).await;
    let first = app.seed_server(mine, "la").await.server;
    let others = app.seed_server(other, "lb").await.server;
    let second = app.seed_server(mine, "lc").await.server;
    let shared = app.seed_server(other, "ld").await.server;
    app.seed_server(other, "le").await;
    grant(&app, shared, mine, &["control.console"]).await;

    let ids = |list: Value| -> Vec<(i64, String)> {
        list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_i64().unwrap(),
                    r["relation"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let list = app.get("/api/servers", Some(&cookie)).await.json();
    assert_eq!(
        ids(list),
        [
            (first, "owner".to_owned()),
            (second, "owner".to_owned()),
            (shared, "subuser".to_owned())
        ]
    );
    let all = app.get("/api/servers?all=true", Some(&root)).await.json();
    assert_eq!(ids(all).len(), 5);
    assert!(others > first);
}

on_both_backends!(
    the_own_list_is_owned_and_shared_servers_among_others,
    subusers_grant_only_what_they_hold_and_never_edit_themselves,
    grants_are_stored_once_and_come_back_as_arrays,
    an_invitation_makes_an_account_with_a_valid_unique_username,
    a_server_is_not_found_outside_its_users_and_removal_bites_at_once,
    a_role_reaches_every_server_with_exactly_its_keys_and_never_removes_a_grant,
    startup_shows_and_changes_only_what_the_egg_allows,
    server_activity_records_actions_and_shows_addresses_only_with_read_ip,
    daemon_tokens_carry_exactly_the_effective_permissions,
    a_server_has_at_most_fifty_subusers,
);
