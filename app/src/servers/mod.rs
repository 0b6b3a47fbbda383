//! Servers: what a user can reach and do on each game server, and the admin area that creates
//! and manages them.
//!
//! Every function on one server resolves the caller's effective permissions on it from fresh
//! rows ([`crate::permissions::server_access`]): a server the caller may not see answers 404,
//! exactly as one that does not exist; a missing key answers 403.

pub mod admin;
pub mod admin_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::accounts::ActivityPage;
use crate::error::AppError;
use crate::permissions::ServerPermission;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the caller reaches a server in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    Owner,
    Subuser,
    /// Through the admin flag or the role, not by a grant on this server.
    Panel,
}

/// A row of the server list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerListItem {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub node: String,
    pub address: String,
    pub owner: String,
    pub suspended: bool,
    pub relation: Relation,
}

/// A page of the server list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerListPage {
    pub rows: Vec<ServerListItem>,
    /// Pass as `after` for the next page; `None` at the end.
    pub next_after: Option<i64>,
    /// The caller may switch to every server of the panel.
    pub can_list_all: bool,
}

/// One server as its users see it, with what the caller may do on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub node: String,
    pub address: String,
    pub egg: String,
    pub docker_image: String,
    pub memory_mb: i64,
    pub disk_mb: i64,
    pub cpu_percent: i64,
    pub suspended: bool,
    pub owner: String,
    pub is_owner: bool,
    /// The caller's effective permissions on this server.
    pub permissions: Vec<ServerPermission>,
}

impl ServerView {
    pub fn can(&self, permission: ServerPermission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// A startup variable as a server user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupVariable {
    pub name: String,
    pub description: String,
    pub env_name: String,
    pub value: String,
    pub editable: bool,
    pub rules: String,
}

/// The startup tab: the command, the image, and the variables the egg lets users see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Startup {
    pub command: String,
    pub docker_image: String,
    /// The images the caller may choose from (empty without `startup.docker-image`).
    pub docker_images: Vec<String>,
    pub variables: Vec<StartupVariable>,
}

/// The servers the caller can reach: their own and shared ones, or with `all` (for root admins
/// and role holders with server permissions or `servers.read`) every server. `query` filters
/// by name.
#[server(prefix = "/api", endpoint = "servers", input = server_fn::codec::GetUrl)]
pub async fn list_servers(
    all: Option<bool>,
    query: Option<String>,
    after: Option<i64>,
) -> Result<ServerListPage, AppError> {
    let (request, caller) = crate::context::request::active().await?;
    let filter = query.unwrap_or_default();
    server::list_for(
        &request.state,
        &caller,
        all.unwrap_or(false),
        &filter,
        after,
    )
    .await
}

/// One server's overview. Anyone who may see the server.
#[server(prefix = "/api", endpoint = "servers/get", input = server_fn::codec::GetUrl)]
pub async fn get_server(id: i64) -> Result<ServerView, AppError> {
    let (request, _, scope) = crate::context::request::on_server(id, None).await?;
    server::view(&request.state, &scope).await
}

/// Renames a server. Needs `settings.rename` on it.
#[server(prefix = "/api", endpoint = "servers/rename")]
pub async fn rename_server(
    id: i64,
    name: String,
    description: String,
) -> Result<ServerView, AppError> {
    let (request, caller, scope) =
        crate::context::request::on_server(id, Some(ServerPermission::SettingsRename)).await?;
    server::rename(&request, &caller, &scope, &name, &description).await?;
    server::view(&request.state, &scope).await
}

/// The startup settings users may see. Needs `startup.read`.
#[server(prefix = "/api", endpoint = "servers/startup", input = server_fn::codec::GetUrl)]
pub async fn get_startup(id: i64) -> Result<Startup, AppError> {
    let (request, _, scope) =
        crate::context::request::on_server(id, Some(ServerPermission::StartupRead)).await?;
    server::startup(&request.state, &scope).await
}

/// Changes user-editable startup variables, and the image with `startup.docker-image`. Needs
/// `startup.update`.
#[server(prefix = "/api", endpoint = "servers/startup/update", input = server_fn::codec::Json)]
pub async fn update_startup(
    id: i64,
    values: BTreeMap<String, String>,
    docker_image: Option<String>,
) -> Result<Startup, AppError> {
    let (request, caller, scope) =
        crate::context::request::on_server(id, Some(ServerPermission::StartupUpdate)).await?;
    server::update_startup(&request, &caller, &scope, values, docker_image).await?;
    server::startup(&request.state, &scope).await
}

/// The server's activity, newest first; addresses only with `activity.read-ip`. Needs
/// `activity.read`.
#[server(prefix = "/api", endpoint = "servers/activity", input = server_fn::codec::GetUrl)]
pub async fn server_activity(id: i64, before: Option<i64>) -> Result<ActivityPage, AppError> {
    let (request, _, scope) =
        crate::context::request::on_server(id, Some(ServerPermission::ActivityRead)).await?;
    let with_ip = scope.can(ServerPermission::ActivityReadIp);
    crate::activity::server::server_page(&request.state, id, before, with_ip).await
}
