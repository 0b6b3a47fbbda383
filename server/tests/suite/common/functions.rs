//! Every registered server function with the rule it declares and valid arguments for one
//! call: the single list that the authorisation matrix and the bad-input properties both walk,
//! so a new function is covered by both once it is listed here (and the matrix test fails
//! until it is).

/// Who a function is for.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user; anonymous callers get 401.
    SignedIn,
    /// Only a caller holding a two-factor checkpoint; everyone else gets 401.
    Checkpoint,
    /// Holders of this admin permission: 401 when signed out, 403 without it.
    Admin(&'static str),
    /// Root admins only: 401 when signed out, 403 otherwise.
    Root,
    /// A server the caller can see (server 1, owned by the admin): 401 when signed out, 404 for
    /// a user who cannot see it.
    Server,
    /// A node daemon with its secret; every session caller gets 401.
    Node,
}

/// Arguments for a call: form fields, or a JSON body for functions with structured input.
#[derive(Debug, Clone, Copy)]
pub enum Args {
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

use Args::{Form, Json};

/// Each server function: path, method, rule, and valid arguments for a call.
pub const MATRIX: &[(&str, &str, Rule, Args)] = &[
    (
        "/api/admin/users",
        "GET",
        Rule::Admin("users.read"),
        Form(&[("query", "matrix")]),
    ),
    (
        "/api/admin/users/get",
        "GET",
        Rule::Admin("users.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/users/create",
        "POST",
        Rule::Admin("users.create"),
        Json(
            r#"{"input":{"username":"matrix.new","email":"matrix.new@example.test","first_name":"M","last_name":"N"}}"#,
        ),
    ),
    (
        "/api/admin/users/update",
        "POST",
        Rule::Admin("users.update"),
        Json(r#"{"id":0,"input":{"email":"x@example.test","first_name":"X","last_name":"Y"}}"#),
    ),
    (
        "/api/admin/users/send-reset",
        "POST",
        Rule::Admin("users.reset-password"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/users/disable-two-factor",
        "POST",
        Rule::Admin("users.disable-two-factor"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/users/unlock",
        "POST",
        Rule::Admin("users.update"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/users/delete",
        "POST",
        Rule::Admin("users.delete"),
        Json(r#"{"id":0}"#),
    ),
    ("/api/public/info", "GET", Rule::Public, Form(&[])),
    ("/api/auth/me", "GET", Rule::Public, Form(&[])),
    (
        "/api/auth/login",
        "POST",
        Rule::Public,
        Form(&[
            ("identifier", "matrix.admin"),
            ("password", crate::common::PASSWORD),
        ]),
    ),
    ("/api/auth/logout", "POST", Rule::SignedIn, Form(&[])),
    (
        "/api/auth/two-factor",
        "POST",
        Rule::Checkpoint,
        Form(&[("code", "000000")]),
    ),
    (
        "/api/setup",
        "POST",
        Rule::Public,
        Form(&[
            ("token", "x"),
            ("username", "someone"),
            ("email", "someone@example.test"),
            ("first_name", "Some"),
            ("last_name", "One"),
            ("password", crate::common::PASSWORD),
        ]),
    ),
    (
        "/api/password/set",
        "POST",
        Rule::Public,
        Form(&[("token", "0000"), ("password", crate::common::PASSWORD)]),
    ),
    (
        "/api/password/forgot",
        "POST",
        Rule::Public,
        Form(&[("email", "someone@example.test")]),
    ),
    (
        "/api/account/profile",
        "POST",
        Rule::SignedIn,
        Form(&[
            ("first_name", "Matrix"),
            ("last_name", "Caller"),
            ("language", "en"),
        ]),
    ),
    (
        "/api/account/email",
        "POST",
        Rule::SignedIn,
        Form(&[
            ("current_password", "wrong password"),
            ("email", "m@example.test"),
        ]),
    ),
    (
        "/api/account/password",
        "POST",
        Rule::SignedIn,
        Form(&[
            ("current_password", "wrong password"),
            ("new_password", "another passphrase"),
        ]),
    ),
    ("/api/account/sessions", "GET", Rule::SignedIn, Form(&[])),
    (
        "/api/account/sessions/revoke",
        "POST",
        Rule::SignedIn,
        Form(&[("id", "0")]),
    ),
    (
        "/api/account/sessions/revoke-others",
        "POST",
        Rule::SignedIn,
        Form(&[]),
    ),
    ("/api/account/activity", "GET", Rule::SignedIn, Form(&[])),
    ("/api/account/two-factor", "GET", Rule::SignedIn, Form(&[])),
    (
        "/api/account/two-factor/start",
        "POST",
        Rule::SignedIn,
        Form(&[]),
    ),
    (
        "/api/account/two-factor/confirm",
        "POST",
        Rule::SignedIn,
        Form(&[("password", "wrong password"), ("code", "000000")]),
    ),
    (
        "/api/account/two-factor/recovery-codes",
        "POST",
        Rule::SignedIn,
        Form(&[("password", "wrong password"), ("code", "000000")]),
    ),
    (
        "/api/account/two-factor/disable",
        "POST",
        Rule::SignedIn,
        Form(&[("password", "wrong password"), ("code", "000000")]),
    ),
    (
        "/api/admin/roles",
        "GET",
        Rule::Admin("roles.read"),
        Form(&[]),
    ),
    (
        "/api/admin/roles/get",
        "GET",
        Rule::Admin("roles.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/roles/holders",
        "GET",
        Rule::Admin("roles.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/roles/create",
        "POST",
        Rule::Admin("roles.create"),
        Json(r#"{"input":{"name":"Matrix role"}}"#),
    ),
    (
        "/api/admin/roles/update",
        "POST",
        Rule::Admin("roles.update"),
        Json(r#"{"id":0,"version":1,"input":{"name":"Matrix role"}}"#),
    ),
    (
        "/api/admin/roles/duplicate",
        "POST",
        Rule::Admin("roles.create"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/roles/delete",
        "POST",
        Rule::Admin("roles.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/settings/two-factor-policy",
        "GET",
        Rule::Root,
        Form(&[]),
    ),
    (
        "/api/admin/settings/two-factor-policy/set",
        "POST",
        Rule::Root,
        Form(&[("policy", "none")]),
    ),
    (
        "/api/admin/locations",
        "GET",
        Rule::Admin("locations.read"),
        Form(&[]),
    ),
    (
        "/api/admin/locations/get",
        "GET",
        Rule::Admin("locations.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/locations/create",
        "POST",
        Rule::Admin("locations.create"),
        Json(r#"{"input":{"short_code":"matrix"}}"#),
    ),
    (
        "/api/admin/locations/update",
        "POST",
        Rule::Admin("locations.update"),
        Json(r#"{"id":0,"input":{"short_code":"matrix"}}"#),
    ),
    (
        "/api/admin/locations/delete",
        "POST",
        Rule::Admin("locations.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/nodes",
        "GET",
        Rule::Admin("nodes.read"),
        Form(&[]),
    ),
    (
        "/api/admin/nodes/get",
        "GET",
        Rule::Admin("nodes.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/nodes/create",
        "POST",
        Rule::Admin("nodes.create"),
        Json(
            r#"{"input":{"name":"matrix","location_id":0,"fqdn":"m.example.test","memory_mb":1,"disk_mb":1}}"#,
        ),
    ),
    (
        "/api/admin/nodes/update",
        "POST",
        Rule::Admin("nodes.update"),
        Json(
            r#"{"id":0,"input":{"name":"matrix","location_id":0,"fqdn":"m.example.test","memory_mb":1,"disk_mb":1}}"#,
        ),
    ),
    (
        "/api/admin/nodes/reset-secret",
        "POST",
        Rule::Admin("nodes.configuration"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/nodes/allocations/add",
        "POST",
        Rule::Admin("nodes.allocations"),
        Json(r#"{"id":0,"ip":"10.0.0.9","ports":"1"}"#),
    ),
    (
        "/api/admin/nodes/allocations/remove",
        "POST",
        Rule::Admin("nodes.allocations"),
        Json(r#"{"id":0,"allocation_id":0}"#),
    ),
    (
        "/api/admin/nodes/delete",
        "POST",
        Rule::Admin("nodes.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/nests",
        "GET",
        Rule::Admin("nests.read"),
        Form(&[]),
    ),
    (
        "/api/admin/nests/create",
        "POST",
        Rule::Admin("nests.create"),
        Json(r#"{"input":{"name":"matrix"}}"#),
    ),
    (
        "/api/admin/nests/update",
        "POST",
        Rule::Admin("nests.update"),
        Json(r#"{"id":0,"input":{"name":"matrix"}}"#),
    ),
    (
        "/api/admin/nests/delete",
        "POST",
        Rule::Admin("nests.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/eggs/get",
        "GET",
        Rule::Admin("eggs.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/eggs/create",
        "POST",
        Rule::Admin("eggs.create"),
        Json(r#"{"input":{"nest_id":0,"name":"matrix","docker_images":["img"]}}"#),
    ),
    (
        "/api/admin/eggs/update",
        "POST",
        Rule::Admin("eggs.update"),
        Json(r#"{"id":0,"input":{"nest_id":0,"name":"matrix","docker_images":["img"]}}"#),
    ),
    (
        "/api/admin/eggs/move",
        "POST",
        Rule::Admin("eggs.move"),
        Json(r#"{"id":0,"nest_id":0}"#),
    ),
    (
        "/api/admin/eggs/delete",
        "POST",
        Rule::Admin("eggs.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/backup-configurations",
        "GET",
        Rule::Admin("backup-configurations.read"),
        Form(&[]),
    ),
    (
        "/api/admin/backup-configurations/create",
        "POST",
        Rule::Admin("backup-configurations.create"),
        Json(r#"{"input":{"name":"matrix","kind":"restic","repository":"r","secret":"s"}}"#),
    ),
    (
        "/api/admin/backup-configurations/update",
        "POST",
        Rule::Admin("backup-configurations.update"),
        Json(r#"{"id":0,"input":{"name":"matrix","kind":"restic","repository":"r"}}"#),
    ),
    (
        "/api/admin/backup-configurations/delete",
        "POST",
        Rule::Admin("backup-configurations.delete"),
        Json(r#"{"id":0}"#),
    ),
    (
        "/api/admin/servers",
        "GET",
        Rule::Admin("servers.read"),
        Form(&[]),
    ),
    (
        "/api/admin/servers/get",
        "GET",
        Rule::Admin("servers.read"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/admin/servers/options",
        "GET",
        Rule::Admin("servers.read"),
        Form(&[]),
    ),
    (
        "/api/admin/servers/create",
        "POST",
        Rule::Admin("servers.create"),
        Json(
            r#"{"input":{"name":"m","owner":"matrix.admin","node_id":0,"allocation_id":0,"egg_id":0,"docker_image":"img","memory_mb":1,"disk_mb":1,"cpu_percent":0}}"#,
        ),
    ),
    (
        "/api/admin/servers/update",
        "POST",
        Rule::Admin("servers.update"),
        Json(
            r#"{"id":0,"input":{"name":"m","owner":"matrix.admin","node_id":0,"allocation_id":0,"egg_id":0,"docker_image":"img","memory_mb":1,"disk_mb":1,"cpu_percent":0}}"#,
        ),
    ),
    (
        "/api/admin/servers/suspend",
        "POST",
        Rule::Admin("servers.suspend"),
        Json(r#"{"id":0,"suspended":true}"#),
    ),
    (
        "/api/admin/servers/transfer",
        "POST",
        Rule::Admin("servers.transfer"),
        Json(r#"{"id":0,"node_id":0}"#),
    ),
    (
        "/api/admin/servers/delete",
        "POST",
        Rule::Admin("servers.delete"),
        Json(r#"{"id":0}"#),
    ),
    ("/api/servers", "GET", Rule::SignedIn, Form(&[])),
    (
        "/api/servers/get",
        "GET",
        Rule::Server,
        Form(&[("id", "1")]),
    ),
    (
        "/api/servers/rename",
        "POST",
        Rule::Server,
        Form(&[("id", "1"), ("name", "Matrix"), ("description", "")]),
    ),
    (
        "/api/servers/startup",
        "GET",
        Rule::Server,
        Form(&[("id", "1")]),
    ),
    (
        "/api/servers/startup/update",
        "POST",
        Rule::Server,
        Json(r#"{"id":1,"values":{}}"#),
    ),
    (
        "/api/servers/activity",
        "GET",
        Rule::Server,
        Form(&[("id", "1")]),
    ),
    (
        "/api/servers/daemon-token",
        "POST",
        Rule::Server,
        Form(&[("id", "1"), ("purpose", "console")]),
    ),
    (
        "/api/servers/subusers",
        "GET",
        Rule::Server,
        Form(&[("server_id", "1")]),
    ),
    (
        "/api/servers/subusers/create",
        "POST",
        Rule::Server,
        Json(
            r#"{"server_id":1,"email":"matrix.invite@example.test","permissions":["control.console"]}"#,
        ),
    ),
    (
        "/api/servers/subusers/update",
        "POST",
        Rule::Server,
        Json(r#"{"server_id":1,"subuser_id":0,"permissions":["control.console"]}"#),
    ),
    (
        "/api/servers/subusers/delete",
        "POST",
        Rule::Server,
        Json(r#"{"server_id":1,"subuser_id":0}"#),
    ),
    ("/api/daemon/revoked-tokens", "GET", Rule::Node, Form(&[])),
    (
        "/api/admin/users/impersonate",
        "POST",
        Rule::Admin("users.impersonate"),
        Form(&[("id", "0")]),
    ),
    (
        "/api/auth/stop-impersonating",
        "POST",
        Rule::SignedIn,
        Form(&[]),
    ),
    (
        "/api/admin/activity",
        "GET",
        Rule::Admin("activity.read"),
        Form(&[("event", "admin:user.created")]),
    ),
    (
        "/api/admin/activity/export",
        "GET",
        Rule::Admin("activity.read"),
        Form(&[]),
    ),
    (
        "/api/admin/settings/retention",
        "GET",
        Rule::Root,
        Form(&[]),
    ),
    (
        "/api/admin/settings/retention/set",
        "POST",
        Rule::Root,
        Form(&[
            ("account_days", "0"),
            ("server_days", "0"),
            ("admin_days", "0"),
        ]),
    ),
];
