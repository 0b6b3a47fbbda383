//! Nests and eggs: a nest groups eggs; an egg describes how to install and start one kind of
//! game server (docker images, startup command, install script, startup variables). Managed
//! with the `nests.*` and `eggs.*` admin permissions; writing variables needs `eggs.variables`
//! and writing the install script `eggs.install-script`. An egg that servers use, and a nest
//! that still holds eggs, cannot be deleted.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod variables;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
pub use variables::EggVariable;

/// An egg as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EggSummary {
    pub id: i64,
    pub name: String,
    pub servers: i64,
}

/// A nest with its eggs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nest {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub eggs: Vec<EggSummary>,
}

/// What the nest form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// An egg in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Egg {
    pub id: i64,
    pub nest_id: i64,
    pub name: String,
    pub description: String,
    pub docker_images: Vec<String>,
    pub startup: String,
    pub install_script: String,
    pub variables: Vec<EggVariable>,
    pub servers: i64,
}

/// What the egg form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EggInput {
    pub nest_id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub docker_images: Vec<String>,
    #[serde(default)]
    pub startup: String,
    #[serde(default)]
    pub install_script: String,
    #[serde(default)]
    pub variables: Vec<EggVariable>,
}

/// Every nest with its eggs. Needs `nests.read`.
#[server(prefix = "/api", endpoint = "admin/nests", input = server_fn::codec::GetUrl)]
pub async fn list_nests() -> Result<Vec<Nest>, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::NestsRead).await?;
    server::list_nests(&request.state).await
}

/// Creates a nest. Needs `nests.create`.
#[server(prefix = "/api", endpoint = "admin/nests/create", input = server_fn::codec::Json)]
pub async fn create_nest(input: NestInput) -> Result<Nest, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NestsCreate).await?;
    server::create_nest(&request, &caller, input).await
}

/// Changes a nest. Needs `nests.update`.
#[server(prefix = "/api", endpoint = "admin/nests/update", input = server_fn::codec::Json)]
pub async fn update_nest(id: i64, input: NestInput) -> Result<Nest, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NestsUpdate).await?;
    server::update_nest(&request, &caller, id, input).await
}

/// Deletes a nest without eggs. Needs `nests.delete`.
#[server(prefix = "/api", endpoint = "admin/nests/delete", input = server_fn::codec::Json)]
pub async fn delete_nest(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NestsDelete).await?;
    server::delete_nest(&request, &caller, id).await
}

/// One egg in full. Needs `eggs.read`.
#[server(prefix = "/api", endpoint = "admin/eggs/get", input = server_fn::codec::GetUrl)]
pub async fn get_egg(id: i64) -> Result<Egg, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::EggsRead).await?;
    server::get_egg(&request.state, id).await
}

/// Creates an egg. Needs `eggs.create`, plus `eggs.variables` for variables and
/// `eggs.install-script` for an install script.
#[server(prefix = "/api", endpoint = "admin/eggs/create", input = server_fn::codec::Json)]
pub async fn create_egg(input: EggInput) -> Result<Egg, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::EggsCreate).await?;
    server::create_egg(&request, &caller, input).await
}

/// Changes an egg (not its nest). Needs `eggs.update`, plus `eggs.variables` to change the
/// variables and `eggs.install-script` to change the install script.
#[server(prefix = "/api", endpoint = "admin/eggs/update", input = server_fn::codec::Json)]
pub async fn update_egg(id: i64, input: EggInput) -> Result<Egg, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::EggsUpdate).await?;
    server::update_egg(&request, &caller, id, input).await
}

/// Moves an egg into another nest. Needs `eggs.move`.
#[server(prefix = "/api", endpoint = "admin/eggs/move", input = server_fn::codec::Json)]
pub async fn move_egg(id: i64, nest_id: i64) -> Result<Egg, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::EggsMove).await?;
    server::move_egg(&request, &caller, id, nest_id).await
}

/// Deletes an egg no server uses. Needs `eggs.delete`.
#[server(prefix = "/api", endpoint = "admin/eggs/delete", input = server_fn::codec::Json)]
pub async fn delete_egg(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::EggsDelete).await?;
    server::delete_egg(&request, &caller, id).await
}
