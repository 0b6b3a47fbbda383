//! The admin areas (locations, nodes, nests and eggs, backup configurations, servers): each
//! action needs its admin permission and nothing else, deleting what is in use is refused with
//! a count, and secrets never come back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::{Backend, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};

/// A call: the key it needs, GET or POST, the path, and its arguments.
struct Call {
    key: &'static str,
    get: bool,
    path: &'static str,
    args: Value,
}

fn get(key: &'static str, path: &'static str, args: Value) -> Call {
    Call {
        key,
        get: true,
        path,
        args,
    }
}

fn post(key: &'static str, path: &'static str, args: Value) -> Call {
    Call {
        key,
        get: false,
        path,
        args,
    }
}

async fn send(app: &TestApp, call: &Call, cookie: &str) -> crate::common::TestResponse {
    if call.get {
        let query = serde_urlencoded::to_string(
            call.args
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string().trim_matches('"').to_owned()))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        app.get(&format!("{}?{query}", call.path), Some(cookie))
            .await
    } else {
        app.post_json(call.path, call.args.clone(), Some(cookie))
            .await
    }
}

/// Signs in a new user whose role holds exactly `keys`.
async fn holder_of(app: &TestApp, root: &str, name: &str, keys: &[&str]) -> String {
    let role = app.create_role(root, name, keys, &[]).await;
    assert_eq!(role.status, StatusCode::OK, "{}", role.body);
    let user = app.create_user(name, false).await;
    app.assign_role(user, role.json()["id"].as_i64().unwrap())
        .await;
    app.sign_in(name, PASSWORD).await
}

async fn ok(app: &TestApp, root: &str, call: Call) -> Value {
    let response = send(app, &call, root).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{}: {}",
        call.path,
        response.body
    );
    response.json()
}

async fn each_action_needs_its_key_and_no_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root.admin", true).await;
    let root = app.sign_in("root.admin", PASSWORD).await;
    let a = app.seed_server(root_id, "a").await;
    let b = app.seed_server(root_id, "b").await;

    // Things that nothing uses, for the deletes.
    let spare_location = ok(
        &app,
        &root,
        post(
            "",
            "/api/admin/locations/create",
            json!({"input": {"short_code": "spare"}}),
        ),
    )
    .await["id"]
        .clone();
    let spare_node = ok(&app, &root, post("", "/api/admin/nodes/create", json!({"input": {"name": "spare", "location_id": a.location, "fqdn": "spare.example.test", "memory_mb": 1024, "disk_mb": 1024}}))).await["node_id"].clone();
    let spare_nest = ok(
        &app,
        &root,
        post(
            "",
            "/api/admin/nests/create",
            json!({"input": {"name": "spare"}}),
        ),
    )
    .await["id"]
        .clone();
    let spare_egg = ok(
        &app,
        &root,
        post(
            "",
            "/api/admin/eggs/create",
            json!({"input": {"nest_id": b.nest, "name": "spare", "docker_images": ["img"]}}),
        ),
    )
    .await["id"]
        .clone();
    let backup = ok(&app, &root, post("", "/api/admin/backup-configurations/create", json!({"input": {"name": "offsite", "kind": "restic", "repository": "/srv/restic", "secret": "restic-password"}}))).await["id"].clone();
    let spare_backup = ok(&app, &root, post("", "/api/admin/backup-configurations/create", json!({"input": {"name": "spare", "kind": "restic", "repository": "/srv/spare", "secret": "restic-password"}}))).await["id"].clone();
    let egg = ok(
        &app,
        &root,
        get("", "/api/admin/eggs/get", json!({"id": a.egg})),
    )
    .await;
    let server_body = |name: &str, allocation: i64| json!({"name": name, "owner": "root.admin", "node_id": a.node, "allocation_id": allocation, "egg_id": a.egg, "docker_image": "img:a", "variables": {"SERVER_JAR": "server.jar", "HIDDEN": "x"}, "memory_mb": 512, "disk_mb": 512, "cpu_percent": 100});

    let calls = vec![
        get("locations.read", "/api/admin/locations", json!({})),
        get(
            "locations.read",
            "/api/admin/locations/get",
            json!({"id": a.location}),
        ),
        post(
            "locations.create",
            "/api/admin/locations/create",
            json!({"input": {"short_code": "new"}}),
        ),
        post(
            "locations.update",
            "/api/admin/locations/update",
            json!({"id": a.location, "input": {"short_code": "a2", "description": "Frankfurt"}}),
        ),
        post(
            "locations.delete",
            "/api/admin/locations/delete",
            json!({"id": spare_location}),
        ),
        get("nodes.read", "/api/admin/nodes", json!({})),
        get("nodes.read", "/api/admin/nodes/get", json!({"id": a.node})),
        post(
            "nodes.create",
            "/api/admin/nodes/create",
            json!({"input": {"name": "new", "location_id": a.location, "fqdn": "new.example.test", "memory_mb": 1024, "disk_mb": 1024}}),
        ),
        post(
            "nodes.update",
            "/api/admin/nodes/update",
            json!({"id": a.node, "input": {"name": "node-a", "location_id": a.location, "fqdn": "a.example.test", "memory_mb": 65536, "disk_mb": 65536}}),
        ),
        post(
            "nodes.configuration",
            "/api/admin/nodes/reset-secret",
            json!({"id": spare_node}),
        ),
        post(
            "nodes.allocations",
            "/api/admin/nodes/allocations/add",
            json!({"id": a.node, "ip": "10.0.0.2", "ports": "30000-30002"}),
        ),
        post(
            "nodes.allocations",
            "/api/admin/nodes/allocations/remove",
            json!({"id": a.node, "allocation_id": a.allocations[2]}),
        ),
        post(
            "nodes.delete",
            "/api/admin/nodes/delete",
            json!({"id": spare_node}),
        ),
        get("nests.read", "/api/admin/nests", json!({})),
        post(
            "nests.create",
            "/api/admin/nests/create",
            json!({"input": {"name": "new"}}),
        ),
        post(
            "nests.update",
            "/api/admin/nests/update",
            json!({"id": a.nest, "input": {"name": "Minecraft"}}),
        ),
        post(
            "nests.delete",
            "/api/admin/nests/delete",
            json!({"id": spare_nest}),
        ),
        get("eggs.read", "/api/admin/eggs/get", json!({"id": a.egg})),
        post(
            "eggs.create",
            "/api/admin/eggs/create",
            json!({"input": {"nest_id": a.nest, "name": "new", "docker_images": ["img:c"]}}),
        ),
        post(
            "eggs.update",
            "/api/admin/eggs/update",
            json!({"id": a.egg, "input": {"nest_id": a.nest, "name": "Paper", "docker_images": egg["docker_images"], "startup": egg["startup"], "variables": egg["variables"]}}),
        ),
        post(
            "eggs.move",
            "/api/admin/eggs/move",
            json!({"id": spare_egg, "nest_id": a.nest}),
        ),
        post(
            "eggs.delete",
            "/api/admin/eggs/delete",
            json!({"id": spare_egg}),
        ),
        get(
            "backup-configurations.read",
            "/api/admin/backup-configurations",
            json!({}),
        ),
        post(
            "backup-configurations.create",
            "/api/admin/backup-configurations/create",
            json!({"input": {"name": "new", "kind": "s3", "endpoint": "https://s3.example.test", "bucket": "backups", "region": "eu-1", "access_key": "AKIAEXAMPLE", "secret": "s3-secret-key"}}),
        ),
        post(
            "backup-configurations.update",
            "/api/admin/backup-configurations/update",
            json!({"id": backup, "input": {"name": "offsite", "kind": "restic", "repository": "/srv/restic2"}}),
        ),
        post(
            "backup-configurations.delete",
            "/api/admin/backup-configurations/delete",
            json!({"id": spare_backup}),
        ),
        get("servers.read", "/api/admin/servers", json!({})),
        get(
            "servers.read",
            "/api/admin/servers/get",
            json!({"id": a.server}),
        ),
        get("servers.read", "/api/admin/servers/options", json!({})),
        post(
            "servers.create",
            "/api/admin/servers/create",
            json!({"input": server_body("new", a.allocations[1])}),
        ),
        post(
            "servers.update",
            "/api/admin/servers/update",
            json!({"id": a.server, "input": server_body("renamed", a.allocations[0])}),
        ),
        post(
            "servers.suspend",
            "/api/admin/servers/suspend",
            json!({"id": a.server, "suspended": true}),
        ),
        post(
            "servers.transfer",
            "/api/admin/servers/transfer",
            json!({"id": a.server, "node_id": b.node}),
        ),
        post(
            "servers.delete",
            "/api/admin/servers/delete",
            json!({"id": b.server}),
        ),
    ];

    for (index, call) in calls.iter().enumerate() {
        // Everything but the key is not enough, and the answer names the key.
        let others: Vec<&str> = app::permissions::AdminPermission::ALL
            .iter()
            .map(|p| p.key())
            .filter(|k| *k != call.key)
            .collect();
        let without = holder_of(&app, &root, &format!("without.{index}"), &others).await;
        let refused = send(&app, call, &without).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{} without {}",
            call.path,
            call.key
        );
        assert_eq!(refused.json()["missing"], call.key, "{}", call.path);

        // The key alone is enough.
        let with = holder_of(&app, &root, &format!("with.{index}"), &[call.key]).await;
        let allowed = send(&app, call, &with).await;
        assert_eq!(
            allowed.status,
            StatusCode::OK,
            "{} with {}: {}",
            call.path,
            call.key,
            allowed.body
        );
    }

    // The changes landed, and each is an admin event naming its actor.
    assert_eq!(
        app.scalar("select count(*) from locations where short_code = 'a2'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from servers where suspended = 1")
            .await,
        1
    );
    assert_eq!(app.scalar("select count(*) from server_transfers").await, 1);
    assert_eq!(
        app.scalar("select count(*) from servers").await,
        2,
        "a and the new one"
    );
    for event in [
        "admin:location.deleted",
        "admin:node.secret-reset",
        "admin:egg.moved",
        "admin:server.transfer-requested",
        "admin:server.deleted",
    ] {
        let count = app
            .scalar(&format!("select count(*) from activity_log where event = '{event}' and actor_name like 'with.%'"))
            .await;
        assert_eq!(count, 1, "{event}");
    }
}

async fn writing_variables_scripts_addresses_needs_the_finer_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root.admin", true).await;
    let root = app.sign_in("root.admin", PASSWORD).await;
    let a = app.seed_server(root_id, "a").await;

    let creator = holder_of(&app, &root, "egg.creator", &["eggs.create"]).await;
    let with_variable = json!({"input": {"nest_id": a.nest, "name": "v", "docker_images": ["img"], "variables": [{"name": "Port", "env_name": "PORT", "rules": "integer"}]}});
    let response = app
        .post_json("/api/admin/eggs/create", with_variable, Some(&creator))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.json()["missing"], "eggs.variables");
    let with_script = json!({"input": {"nest_id": a.nest, "name": "s", "docker_images": ["img"], "install_script": "apt-get install java"}});
    let response = app
        .post_json("/api/admin/eggs/create", with_script, Some(&creator))
        .await;
    assert_eq!(response.json()["missing"], "eggs.install-script");

    let updater = holder_of(&app, &root, "server.updater", &["servers.update"]).await;
    let body = |allocation: i64, jar: &str| json!({"id": a.server, "input": {"name": "x", "owner": "root.admin", "node_id": a.node, "allocation_id": allocation, "egg_id": a.egg, "docker_image": "img:a", "variables": {"SERVER_JAR": jar, "HIDDEN": "x"}, "memory_mb": 512, "disk_mb": 512, "cpu_percent": 100}});
    let response = app
        .post_json(
            "/api/admin/servers/update",
            body(a.allocations[1], "server.jar"),
            Some(&updater),
        )
        .await;
    assert_eq!(response.json()["missing"], "servers.allocations");
    let response = app
        .post_json(
            "/api/admin/servers/update",
            body(a.allocations[0], "other.jar"),
            Some(&updater),
        )
        .await;
    assert_eq!(response.json()["missing"], "servers.variables");
    assert_eq!(
        app.scalar("select count(*) from servers where name = 'x'")
            .await,
        0,
        "nothing changed"
    );
}

async fn deleting_what_is_in_use_is_refused_with_a_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root.admin", true).await;
    let root = app.sign_in("root.admin", PASSWORD).await;
    let a = app.seed_server(root_id, "a").await;
    let backup = app
        .post_json(
            "/api/admin/backup-configurations/create",
            json!({"input": {"name": "b", "kind": "restic", "repository": "/r", "secret": "pw"}}),
            Some(&root),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    sqlx::query("update servers set backup_configuration_id = $1")
        .bind(backup)
        .execute(app.state.db.pool())
        .await
        .unwrap();

    for (path, id, count) in [
        ("/api/admin/locations/delete", a.location, "1 node"),
        ("/api/admin/nodes/delete", a.node, "1 server"),
        ("/api/admin/nests/delete", a.nest, "1 egg"),
        ("/api/admin/eggs/delete", a.egg, "1 server"),
        (
            "/api/admin/backup-configurations/delete",
            backup,
            "1 server",
        ),
    ] {
        let response = app.post_json(path, json!({ "id": id }), Some(&root)).await;
        assert_eq!(response.status, StatusCode::CONFLICT, "{path}");
        let message = response.json()["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains(&format!("still has {count}")),
            "{path}: {message}"
        );
    }
    for table in [
        "locations",
        "nodes",
        "nests",
        "eggs",
        "backup_configurations",
        "servers",
    ] {
        assert_eq!(
            app.scalar(&format!("select count(*) from {table}")).await,
            1,
            "{table} kept"
        );
    }

    // The address a server listens on cannot be removed from its node.
    let response = app
        .post_json(
            "/api/admin/nodes/allocations/remove",
            json!({ "id": a.node, "allocation_id": a.allocations[0] }),
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(app.scalar("select count(*) from allocations").await, 3);

    // A user who owns a server cannot be deleted until it is reassigned.
    let owner = app.create_user("owner", false).await;
    sqlx::query("update servers set owner_id = $1")
        .bind(owner)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let response = app
        .post_json(
            "/api/admin/users/delete",
            json!({ "id": owner }),
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(response.json()["message"]
        .as_str()
        .unwrap()
        .contains("1 server"));
}

async fn secrets_are_shown_once_and_never_returned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root.admin", true).await;
    let root = app.sign_in("root.admin", PASSWORD).await;
    let a = app.seed_server(root_id, "a").await;

    let created = app
        .post_json("/api/admin/nodes/create", json!({"input": {"name": "n", "location_id": a.location, "fqdn": "n.example.test", "memory_mb": 1, "disk_mb": 1}}), Some(&root))
        .await
        .json();
    let node = created["node_id"].as_i64().unwrap();
    let first = created["daemon_secret"].as_str().unwrap().to_owned();
    assert_eq!(first.len(), 64, "256 bits, hex");
    let second = app
        .post_json(
            "/api/admin/nodes/reset-secret",
            json!({ "id": node }),
            Some(&root),
        )
        .await
        .json()["daemon_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);

    let backup_secret = "s3-secret-do-not-leak";
    let backup = app
        .post_json("/api/admin/backup-configurations/create", json!({"input": {"name": "s3", "kind": "s3", "endpoint": "https://s3.example.test", "bucket": "backups", "region": "eu", "access_key": "AKIA1", "secret": backup_secret}}), Some(&root))
        .await;
    assert_eq!(backup.status, StatusCode::OK, "{}", backup.body);
    assert_eq!(backup.json()["secret_set"], true);
    let backup_id = backup.json()["id"].as_i64().unwrap();
    // Saving without a secret keeps the stored one.
    let saved = app
        .post_json("/api/admin/backup-configurations/update", json!({"id": backup_id, "input": {"name": "s3", "kind": "s3", "endpoint": "https://s3.example.test", "bucket": "backups2", "region": "eu", "access_key": "AKIA1"}}), Some(&root))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from backup_configurations where secret = '{backup_secret}'"
        ))
        .await,
        1
    );

    let secrets = [
        first.as_str(),
        second.as_str(),
        backup_secret,
        a.secret.as_str(),
    ];
    let mut bodies = vec![backup.body.clone(), saved.body.clone()];
    for path in [
        format!("/api/admin/nodes/get?id={node}"),
        format!("/api/admin/nodes/get?id={}", a.node),
        "/api/admin/nodes".to_owned(),
        "/api/admin/backup-configurations".to_owned(),
        "/api/admin/servers/options".to_owned(),
        format!("/api/admin/servers/get?id={}", a.server),
        format!("/api/servers/get?id={}", a.server),
        format!("/admin/nodes/{node}"),
        format!("/admin/backup-configurations/{backup_id}"),
    ] {
        let response = app.get(&path, Some(&root)).await;
        assert!(response.status.is_success(), "{path}: {}", response.status);
        bodies.push(response.body);
    }
    let rows: Vec<String> = sqlx::query_scalar::<_, String>(
        "select event || ' ' || coalesce(details, '') from activity_log",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    bodies.extend(rows);
    for body in &bodies {
        for secret in secrets {
            assert!(!body.contains(secret), "a secret leaked: {body}");
        }
    }
}

async fn bad_input_is_a_field_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root_id = app.create_user("root.admin", true).await;
    let root = app.sign_in("root.admin", PASSWORD).await;
    let a = app.seed_server(root_id, "a").await;

    let cases = [
        (
            "/api/admin/locations/create",
            json!({"input": {"short_code": "a\u{0}b"}}),
            "short_code",
        ),
        (
            "/api/admin/nodes/create",
            json!({"input": {"name": "n", "location_id": a.location, "fqdn": "bad host!", "memory_mb": 1, "disk_mb": 1}}),
            "fqdn",
        ),
        (
            "/api/admin/nodes/create",
            json!({"input": {"name": "n", "location_id": 999, "fqdn": "ok.example.test", "memory_mb": 1, "disk_mb": 1}}),
            "location_id",
        ),
        (
            "/api/admin/nodes/allocations/add",
            json!({"id": a.node, "ip": "not-an-ip", "ports": "1"}),
            "ip",
        ),
        (
            "/api/admin/nodes/allocations/add",
            json!({"id": a.node, "ip": "10.0.0.5", "ports": "10-1"}),
            "ports",
        ),
        (
            "/api/admin/eggs/create",
            json!({"input": {"nest_id": a.nest, "name": "e", "docker_images": []}}),
            "docker_images",
        ),
        (
            "/api/admin/eggs/create",
            json!({"input": {"nest_id": a.nest, "name": "e", "docker_images": ["i"], "variables": [{"name": "P", "env_name": "PORT", "rules": "regex:/x/"}]}}),
            "variables",
        ),
        (
            "/api/admin/backup-configurations/create",
            json!({"input": {"name": "b", "kind": "ftp"}}),
            "kind",
        ),
        (
            "/api/admin/servers/create",
            json!({"input": {"name": "s", "owner": "nobody", "node_id": a.node, "allocation_id": a.allocations[0], "egg_id": a.egg, "docker_image": "img:z", "variables": {"SERVER_JAR": "x".repeat(30)}, "memory_mb": 999_999, "disk_mb": 1, "cpu_percent": 0}}),
            "owner",
        ),
    ];
    for (path, body, field) in cases {
        let response = app.post_json(path, body, Some(&root)).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            response.body
        );
        let fields: Vec<String> = response.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(fields.iter().any(|f| f == field), "{path}: {fields:?}");
    }
    // The server form reports every problem at once: the owner, the taken address, the image,
    // the variable's rule and the node's capacity.
    let response = app
        .post_json("/api/admin/servers/create", json!({"input": {"name": "s", "owner": "nobody", "node_id": a.node, "allocation_id": a.allocations[0], "egg_id": a.egg, "docker_image": "img:z", "variables": {"SERVER_JAR": "x".repeat(30)}, "memory_mb": 999_999, "disk_mb": 1, "cpu_percent": 0}}), Some(&root))
        .await;
    let text = response.body;
    for field in [
        "owner",
        "allocation_id",
        "docker_image",
        "variables.SERVER_JAR",
        "memory_mb",
    ] {
        assert!(text.contains(&format!("\"{field}\"")), "{field} in {text}");
    }
    // Unknown fields are refused, not ignored.
    let response = app
        .post_json(
            "/api/admin/locations/create",
            json!({"input": {"short_code": "x", "is_admin": true}}),
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    // Markup and SQL are plain data; a location's short code takes neither.
    let name = "'); drop table servers; -- <img src=x onerror=alert(1)>";
    let response = app
        .post_json(
            "/api/admin/nests/create",
            json!({"input": {"name": name}}),
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json()["name"], name);
    let response = app
        .post_json(
            "/api/admin/locations/create",
            json!({"input": {"short_code": name}}),
            Some(&root),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("select count(*) from servers").await, 1);
}

on_both_backends!(
    each_action_needs_its_key_and_no_other,
    writing_variables_scripts_addresses_needs_the_finer_keys,
    deleting_what_is_in_use_is_refused_with_a_count,
    secrets_are_shown_once_and_never_returned,
    bad_input_is_a_field_message,
);
