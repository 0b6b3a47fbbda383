//! The servers admin area: create, change, suspend, transfer and delete servers, each with its
//! `servers.*` admin permission.

use crate::eggs::EggVariable;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A server as the admin area shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminServer {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub owner_id: i64,
    pub owner: String,
    pub node_id: i64,
    pub node: String,
    pub allocation_id: i64,
    pub address: String,
    pub egg_id: i64,
    pub egg: String,
    pub docker_image: String,
    pub variables: BTreeMap<String, String>,
    pub memory_mb: i64,
    pub disk_mb: i64,
    pub cpu_percent: i64,
    pub backup_configuration_id: Option<i64>,
    pub suspended: bool,
    /// Transfers requested for this server, newest first: (to node, at).
    pub transfers: Vec<(String, i64)>,
}

/// What the server form sends. `owner` is a username or an email address. Unknown fields are
/// refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub owner: String,
    pub node_id: i64,
    pub allocation_id: i64,
    pub egg_id: i64,
    pub docker_image: String,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    pub memory_mb: i64,
    pub disk_mb: i64,
    pub cpu_percent: i64,
    #[serde(default)]
    pub backup_configuration_id: Option<i64>,
}

/// A free address for the server form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeAllocation {
    pub id: i64,
    pub address: String,
}

/// A node choice for the server form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeChoice {
    pub id: i64,
    pub name: String,
    pub maintenance: bool,
    pub free: Vec<FreeAllocation>,
}

/// An egg choice for the server form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EggChoice {
    pub id: i64,
    pub name: String,
    pub nest: String,
    pub docker_images: Vec<String>,
    pub variables: Vec<EggVariable>,
}

/// Everything the server form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFormChoices {
    pub nodes: Vec<NodeChoice>,
    pub eggs: Vec<EggChoice>,
    pub backup_configurations: Vec<(i64, String)>,
}

/// Every server, filtered by name. Needs `servers.read`.
#[server(prefix = "/api", endpoint = "admin/servers", input = server_fn::codec::GetUrl)]
pub async fn admin_list_servers(
    query: Option<String>,
    after: Option<i64>,
) -> Result<super::ServerListPage, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::ServersRead).await?;
    let filter = query.unwrap_or_default();
    super::server::list_for(&request.state, &caller, true, &filter, after).await
}

/// One server with its build. Needs `servers.read`.
#[server(prefix = "/api", endpoint = "admin/servers/get", input = server_fn::codec::GetUrl)]
pub async fn admin_get_server(id: i64) -> Result<AdminServer, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::ServersRead).await?;
    super::server::admin::get(&request.state, id).await
}

/// The nodes with free allocations, the eggs and the backup configurations a server can use.
/// Needs `servers.read`.
#[server(prefix = "/api", endpoint = "admin/servers/options", input = server_fn::codec::GetUrl)]
pub async fn server_choices() -> Result<ServerFormChoices, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::ServersRead).await?;
    super::server::admin::options(&request.state).await
}

/// Creates a server. Needs `servers.create`.
#[server(prefix = "/api", endpoint = "admin/servers/create", input = server_fn::codec::Json)]
pub async fn create_server(input: ServerInput) -> Result<AdminServer, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::ServersCreate).await?;
    super::server::admin::create(&request, &caller, input).await
}

/// Changes a server's details, owner and build. Needs `servers.update`, plus
/// `servers.allocations` to change its address and `servers.variables` to change its variables.
/// The node changes only through a transfer.
#[server(prefix = "/api", endpoint = "admin/servers/update", input = server_fn::codec::Json)]
pub async fn update_server(id: i64, input: ServerInput) -> Result<AdminServer, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::ServersUpdate).await?;
    super::server::admin::update(&request, &caller, id, input).await
}

/// Suspends or unsuspends a server. Needs `servers.suspend`.
#[server(prefix = "/api", endpoint = "admin/servers/suspend", input = server_fn::codec::Json)]
pub async fn set_server_suspended(id: i64, suspended: bool) -> Result<AdminServer, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::ServersSuspend).await?;
    super::server::admin::set_suspended(&request, &caller, id, suspended).await
}

/// Records a request to move a server to another node; the daemons carry it out. Needs
/// `servers.transfer`.
#[server(prefix = "/api", endpoint = "admin/servers/transfer", input = server_fn::codec::Json)]
pub async fn transfer_server(id: i64, node_id: i64) -> Result<AdminServer, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::ServersTransfer).await?;
    super::server::admin::transfer(&request, &caller, id, node_id).await
}

/// Deletes a server with its sub-users; its allocation becomes free. Needs `servers.delete`.
#[server(prefix = "/api", endpoint = "admin/servers/delete", input = server_fn::codec::Json)]
pub async fn delete_server(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::ServersDelete).await?;
    super::server::admin::delete(&request, &caller, id).await
}
