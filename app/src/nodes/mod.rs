//! Nodes: the machines that run servers, each in a location, with resource limits, a
//! maintenance switch, the addresses (allocations) servers may listen on, and a daemon secret.
//!
//! The secret signs the daemon tokens the panel issues for the node and authenticates the node
//! when it asks the panel for revoked tokens. It is shown once, when generated, and never again.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::i18n::{t, tf};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of the node list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSummary {
    pub id: i64,
    pub name: String,
    pub location: String,
    pub fqdn: String,
    pub maintenance: bool,
    pub servers: i64,
    pub allocations: i64,
}

/// An address on a node, and the server using it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub id: i64,
    pub ip: String,
    pub port: i64,
    pub server_id: Option<i64>,
    pub server_name: Option<String>,
}

/// A node in full, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: i64,
    pub name: String,
    pub location_id: i64,
    pub fqdn: String,
    pub scheme: String,
    pub daemon_port: i64,
    pub memory_mb: i64,
    pub memory_overallocate: i64,
    pub disk_mb: i64,
    pub disk_overallocate: i64,
    pub maintenance: bool,
    pub servers: i64,
    pub allocations: Vec<Allocation>,
}

/// What the node form sends. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeInput {
    pub name: String,
    pub location_id: i64,
    pub fqdn: String,
    #[serde(default = "https")]
    pub scheme: String,
    #[serde(default = "default_port")]
    pub daemon_port: i64,
    pub memory_mb: i64,
    #[serde(default)]
    pub memory_overallocate: i64,
    pub disk_mb: i64,
    #[serde(default)]
    pub disk_overallocate: i64,
    #[serde(default)]
    pub maintenance: bool,
}

fn https() -> String {
    "https".into()
}

fn default_port() -> i64 {
    8080
}

/// A node just made or given a new secret: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSecret {
    pub node_id: i64,
    pub daemon_secret: String,
}

/// Every node. Needs `nodes.read`.
#[server(prefix = "/api", endpoint = "admin/nodes", input = server_fn::codec::GetUrl)]
pub async fn list_nodes() -> Result<Vec<NodeSummary>, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::NodesRead).await?;
    server::list(&request.state).await
}

/// One node with its allocations. Needs `nodes.read`.
#[server(prefix = "/api", endpoint = "admin/nodes/get", input = server_fn::codec::GetUrl)]
pub async fn get_node(id: i64) -> Result<Node, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::NodesRead).await?;
    server::get(&request.state, id).await
}

/// Creates a node and answers with its secret. Needs `nodes.create`.
#[server(prefix = "/api", endpoint = "admin/nodes/create", input = server_fn::codec::Json)]
pub async fn create_node(input: NodeInput) -> Result<NodeSecret, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NodesCreate).await?;
    server::create(&request, &caller, input).await
}

/// Changes a node. Needs `nodes.update`.
#[server(prefix = "/api", endpoint = "admin/nodes/update", input = server_fn::codec::Json)]
pub async fn update_node(id: i64, input: NodeInput) -> Result<Node, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NodesUpdate).await?;
    server::update(&request, &caller, id, input).await
}

/// Replaces a node's daemon secret; tokens signed with the old one stop verifying. Needs
/// `nodes.configuration`.
#[server(prefix = "/api", endpoint = "admin/nodes/reset-secret", input = server_fn::codec::Json)]
pub async fn reset_node_secret(id: i64) -> Result<NodeSecret, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::NodesConfiguration).await?;
    server::reset_secret(&request, &caller, id).await
}

/// Adds allocations: one IP and ports such as `25565`, `25565-25570` or `25565, 27015`.
/// Answers how many were new. Needs `nodes.allocations`.
#[server(prefix = "/api", endpoint = "admin/nodes/allocations/add", input = server_fn::codec::Json)]
pub async fn add_allocations(id: i64, ip: String, ports: String) -> Result<i64, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::NodesAllocations).await?;
    server::add_allocations(&request, &caller, id, &ip, &ports).await
}

/// Removes an allocation no server uses. Needs `nodes.allocations`.
#[server(prefix = "/api", endpoint = "admin/nodes/allocations/remove", input = server_fn::codec::Json)]
pub async fn remove_allocation(id: i64, allocation_id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::NodesAllocations).await?;
    server::remove_allocation(&request, &caller, id, allocation_id).await
}

/// Deletes a node that has no servers; its allocations go with it. Needs `nodes.delete`.
#[server(prefix = "/api", endpoint = "admin/nodes/delete", input = server_fn::codec::Json)]
pub async fn delete_node(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) = crate::context::request::admin(AdminPermission::NodesDelete).await?;
    server::delete(&request, &caller, id).await
}

/// Parses a port list: single ports and ranges separated by commas, at most 1,000 in all.
pub fn parse_ports(raw: &str) -> Result<Vec<u16>, String> {
    let mut ports = std::collections::BTreeSet::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let parse = |p: &str| {
            p.parse::<u16>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                tf(
                    "`{port}` is not a port from 1 to 65535.",
                    &[("port", &p.chars().take(16).collect::<String>())],
                )
            })
        };
        let (start, end) = (parse(start)?, parse(end)?);
        if start > end {
            return Err(tf(
                "The range {start}-{end} runs backwards.",
                &[("start", &start), ("end", &end)],
            ));
        }
        if usize::from(end - start) + ports.len() >= 1000 {
            return Err(t("At most 1,000 ports at a time.").into());
        }
        ports.extend(start..=end);
    }
    if ports.is_empty() {
        return Err(t("Enter at least one port.").into());
    }
    Ok(ports.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::parse_ports;

    #[test]
    fn ports_parse_as_singles_and_ranges() {
        assert_eq!(parse_ports("25565").unwrap(), vec![25565]);
        assert_eq!(parse_ports("1-3, 5,3").unwrap(), vec![1, 2, 3, 5]);
        assert!(parse_ports("").is_err());
        assert!(parse_ports("0").is_err());
        assert!(parse_ports("70000").is_err());
        assert!(parse_ports("5-1").is_err());
        assert!(parse_ports("1-2000").is_err());
        assert!(parse_ports("x").is_err());
    }
}
