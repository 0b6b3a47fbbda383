//! Roles: named sets of admin permissions and server permissions, with a "require two factor"
//! toggle. Managing them needs the `roles.*` admin permissions, and nobody can put a key into
//! a role that they do not hold themselves.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::permissions::{AdminPermission, ServerPermission};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of the role list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub require_two_factor: bool,
    pub admin_permissions: usize,
    pub server_permissions: usize,
    /// How many users hold the role.
    pub holders: i64,
}

/// A role in full, with the version a save must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub require_two_factor: bool,
    pub admin_permissions: Vec<AdminPermission>,
    pub server_permissions: Vec<ServerPermission>,
    pub version: i64,
}

/// What a role form sends. Keys travel as strings so that an unknown key is a field message,
/// not a decoding failure; unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub require_two_factor: bool,
    #[serde(default)]
    pub admin_permissions: Vec<String>,
    #[serde(default)]
    pub server_permissions: Vec<String>,
}

/// A holder of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    pub id: i64,
    pub username: String,
    pub name: String,
}

/// Every role, with holder counts. Needs `roles.read`.
#[server(prefix = "/api", endpoint = "admin/roles", input = server_fn::codec::GetUrl)]
pub async fn list_roles() -> Result<Vec<RoleSummary>, AppError> {
    let (request, _) = crate::context::request::admin(AdminPermission::RolesRead).await?;
    server::list(&request.state).await
}

/// One role. Needs `roles.read`.
#[server(prefix = "/api", endpoint = "admin/roles/get", input = server_fn::codec::GetUrl)]
pub async fn get_role(id: i64) -> Result<Role, AppError> {
    let (request, _) = crate::context::request::admin(AdminPermission::RolesRead).await?;
    server::get(&request.state, id).await
}

/// The users holding a role. Needs `roles.read`.
#[server(prefix = "/api", endpoint = "admin/roles/holders", input = server_fn::codec::GetUrl)]
pub async fn role_holders(id: i64) -> Result<Vec<RoleHolder>, AppError> {
    let (request, _) = crate::context::request::admin(AdminPermission::RolesRead).await?;
    server::holders(&request.state, id).await
}

/// Creates a role. Needs `roles.create`, and every key in it.
#[server(prefix = "/api", endpoint = "admin/roles/create", input = server_fn::codec::Json)]
pub async fn create_role(input: RoleInput) -> Result<Role, AppError> {
    let (request, caller) = crate::context::request::admin(AdminPermission::RolesCreate).await?;
    server::create(&request, &caller, input).await
}

/// Saves a role, refusing a stale `version` with a conflict. Needs `roles.update`, and every
/// key it adds.
#[server(prefix = "/api", endpoint = "admin/roles/update", input = server_fn::codec::Json)]
pub async fn update_role(id: i64, version: i64, input: RoleInput) -> Result<Role, AppError> {
    let (request, caller) = crate::context::request::admin(AdminPermission::RolesUpdate).await?;
    server::update(&request, &caller, id, version, input).await
}

/// Copies a role under a new name. Needs `roles.create`, and every key in it.
#[server(prefix = "/api", endpoint = "admin/roles/duplicate", input = server_fn::codec::Json)]
pub async fn duplicate_role(id: i64) -> Result<Role, AppError> {
    let (request, caller) = crate::context::request::admin(AdminPermission::RolesCreate).await?;
    server::duplicate(&request, &caller, id).await
}

/// Deletes a role; its holders lose it. Needs `roles.delete`. Answers how many lost it.
#[server(prefix = "/api", endpoint = "admin/roles/delete", input = server_fn::codec::Json)]
pub async fn delete_role(id: i64) -> Result<i64, AppError> {
    let (request, caller) = crate::context::request::admin(AdminPermission::RolesDelete).await?;
    server::delete(&request, &caller, id).await
}
