//! Locations: where nodes stand, named by a short code. Managed with the `locations.*` admin
//! permissions; a location that still has nodes cannot be deleted.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A location with the number of nodes in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: i64,
    pub short_code: String,
    pub description: String,
    pub nodes: i64,
}

/// What the location form sends. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub short_code: String,
    #[serde(default)]
    pub description: String,
}

/// Every location. Needs `locations.read`.
#[server(prefix = "/api", endpoint = "admin/locations", input = server_fn::codec::GetUrl)]
pub async fn list_locations() -> Result<Vec<Location>, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::LocationsRead).await?;
    server::list(&request.state).await
}

/// One location. Needs `locations.read`.
#[server(prefix = "/api", endpoint = "admin/locations/get", input = server_fn::codec::GetUrl)]
pub async fn get_location(id: i64) -> Result<Location, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::LocationsRead).await?;
    server::get(&request.state, id).await
}

/// Creates a location. Needs `locations.create`.
#[server(prefix = "/api", endpoint = "admin/locations/create", input = server_fn::codec::Json)]
pub async fn create_location(input: LocationInput) -> Result<Location, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::LocationsCreate).await?;
    server::create(&request, &caller, input).await
}

/// Changes a location. Needs `locations.update`.
#[server(prefix = "/api", endpoint = "admin/locations/update", input = server_fn::codec::Json)]
pub async fn update_location(id: i64, input: LocationInput) -> Result<Location, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::LocationsUpdate).await?;
    server::update(&request, &caller, id, input).await
}

/// Deletes a location that has no nodes. Needs `locations.delete`.
#[server(prefix = "/api", endpoint = "admin/locations/delete", input = server_fn::codec::Json)]
pub async fn delete_location(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::LocationsDelete).await?;
    server::delete(&request, &caller, id).await
}
