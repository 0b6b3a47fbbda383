//! Node services.

use super::{parse_ports, Allocation, Node, NodeInput, NodeSecret, NodeSummary};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::fields::{delete_unless_used, line, number, unique_as, Guarded};
use crate::i18n::t;
use crate::users::validation::FieldErrors;
use rand::RngCore;
use serde_json::json;
use sqlx::Row;
use std::net::IpAddr;

/// The largest memory or disk size accepted, in MiB (about a petabyte).
const MAX_MB: i64 = 1 << 30;

struct ValidNode {
    name: String,
    fqdn: String,
    scheme: &'static str,
    daemon_port: i64,
    memory_mb: i64,
    memory_overallocate: i64,
    disk_mb: i64,
    disk_overallocate: i64,
}

fn check_fqdn(raw: &str) -> Result<String, String> {
    let value = line(raw, 1, 253)?.to_lowercase();
    if value.parse::<IpAddr>().is_ok() {
        return Ok(value);
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if value.split('.').all(label_ok) {
        Ok(value)
    } else {
        Err(t("Enter a host name such as node1.example.com, or an IP address.").into())
    }
}

fn validate(input: &NodeInput) -> Result<ValidNode, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", line(&input.name, 1, 100));
    let fqdn = errors.check("fqdn", check_fqdn(&input.fqdn));
    let scheme = errors.check(
        "scheme",
        match input.scheme.as_str() {
            "https" => Ok("https"),
            "http" => Ok("http"),
            _ => Err(t("Choose http or https.").to_owned()),
        },
    );
    let port = errors.check("daemon_port", number(input.daemon_port, 1, 65535));
    let memory = errors.check("memory_mb", number(input.memory_mb, 1, MAX_MB));
    let memory_over = errors.check(
        "memory_overallocate",
        number(input.memory_overallocate, -1, 1000),
    );
    let disk = errors.check("disk_mb", number(input.disk_mb, 1, MAX_MB));
    let disk_over = errors.check(
        "disk_overallocate",
        number(input.disk_overallocate, -1, 1000),
    );
    errors.finish()?;
    match (
        name,
        fqdn,
        scheme,
        port,
        memory,
        memory_over,
        disk,
        disk_over,
    ) {
        (
            Some(name),
            Some(fqdn),
            Some(scheme),
            Some(daemon_port),
            Some(memory_mb),
            Some(mo),
            Some(disk_mb),
            Some(dov),
        ) => Ok(ValidNode {
            name,
            fqdn,
            scheme,
            daemon_port,
            memory_mb,
            memory_overallocate: mo,
            disk_mb,
            disk_overallocate: dov,
        }),
        _ => Err(AppError::Internal),
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub async fn list(state: &AppState) -> Result<Vec<NodeSummary>, AppError> {
    let rows = sqlx::query(
        r#"
        select n.id, n.name, l.short_code, n.fqdn, n.maintenance,
               (select count(*) from servers s where s.node_id = n.id) as servers,
               (select count(*) from allocations a where a.node_id = n.id) as allocations
        from nodes n join locations l on l.id = n.location_id
        order by n.name_canonical
        "#,
    )
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(NodeSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                location: row.try_get("short_code")?,
                fqdn: row.try_get("fqdn")?,
                maintenance: row.try_get::<i64, _>("maintenance")? == 1,
                servers: row.try_get("servers")?,
                allocations: row.try_get("allocations")?,
            })
        })
        .collect()
}

pub async fn get(state: &AppState, id: i64) -> Result<Node, AppError> {
    let row = sqlx::query(
        r#"
        select id, name, location_id, fqdn, scheme, daemon_port, memory_mb, memory_overallocate,
               disk_mb, disk_overallocate, maintenance,
               (select count(*) from servers s where s.node_id = nodes.id) as servers
        from nodes where id = $1
        "#,
    )
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let allocations = sqlx::query(
        r#"
        select a.id, a.ip, a.port, s.id as server_id, s.name as server_name
        from allocations a left join servers s on s.allocation_id = a.id
        where a.node_id = $1
        order by a.ip, a.port
        "#,
    )
    .bind(id)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|row| {
        Ok(Allocation {
            id: row.try_get("id")?,
            ip: row.try_get("ip")?,
            port: row.try_get("port")?,
            server_id: row.try_get("server_id")?,
            server_name: row.try_get("server_name")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Node {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        location_id: row.try_get("location_id")?,
        fqdn: row.try_get("fqdn")?,
        scheme: row.try_get("scheme")?,
        daemon_port: row.try_get("daemon_port")?,
        memory_mb: row.try_get("memory_mb")?,
        memory_overallocate: row.try_get("memory_overallocate")?,
        disk_mb: row.try_get("disk_mb")?,
        disk_overallocate: row.try_get("disk_overallocate")?,
        maintenance: row.try_get::<i64, _>("maintenance")? == 1,
        servers: row.try_get("servers")?,
        allocations,
    })
}

/// The secret of a node, for signing its tokens and checking its requests. Server code only.
pub async fn secret_of(state: &AppState, id: i64) -> Result<String, AppError> {
    let row = sqlx::query("select daemon_secret from nodes where id = $1")
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.try_get("daemon_secret")?)
}

async fn check_location(state: &AppState, id: i64) -> Result<(), AppError> {
    let found = sqlx::query("select id from locations where id = $1")
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::field("location_id", t("Choose an existing location.")))
}

async fn record(
    request: &Request,
    caller: &Caller,
    event: Event,
    id: i64,
    details: serde_json::Value,
) {
    let entry = Entry::new(event)
        .by(caller)
        .subject("node", id)
        .details(details);
    request.record(entry).await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: NodeInput,
) -> Result<NodeSecret, AppError> {
    let state = &request.state;
    let node = validate(&input)?;
    check_location(state, input.location_id).await?;
    let secret = new_secret();
    let now = state.now();
    let row = sqlx::query(
        r#"
        insert into nodes (name, name_canonical, location_id, fqdn, scheme, daemon_port,
                           memory_mb, memory_overallocate, disk_mb, disk_overallocate,
                           maintenance, daemon_secret, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
        returning id
        "#,
    )
    .bind(&node.name)
    .bind(node.name.to_lowercase())
    .bind(input.location_id)
    .bind(&node.fqdn)
    .bind(node.scheme)
    .bind(node.daemon_port)
    .bind(node.memory_mb)
    .bind(node.memory_overallocate)
    .bind(node.disk_mb)
    .bind(node.disk_overallocate)
    .bind(i64::from(input.maintenance))
    .bind(&secret)
    .bind(now)
    .fetch_one(state.db.pool())
    .await
    .map_err(unique_as(
        "name",
        t("A node with this name already exists."),
    ))?;
    let id: i64 = row.try_get("id")?;
    let details = json!({ "name": node.name, "fqdn": node.fqdn, "location_id": input.location_id });
    record(request, caller, Event::NodeCreated, id, details).await;
    Ok(NodeSecret {
        node_id: id,
        daemon_secret: secret,
    })
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, node_id = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: NodeInput,
) -> Result<Node, AppError> {
    let state = &request.state;
    let node = validate(&input)?;
    get(state, id).await?;
    check_location(state, input.location_id).await?;
    sqlx::query(
        r#"
        update nodes set name = $1, name_canonical = $2, location_id = $3, fqdn = $4, scheme = $5,
            daemon_port = $6, memory_mb = $7, memory_overallocate = $8, disk_mb = $9,
            disk_overallocate = $10, maintenance = $11, updated_at = $12
        where id = $13
        "#,
    )
    .bind(&node.name)
    .bind(node.name.to_lowercase())
    .bind(input.location_id)
    .bind(&node.fqdn)
    .bind(node.scheme)
    .bind(node.daemon_port)
    .bind(node.memory_mb)
    .bind(node.memory_overallocate)
    .bind(node.disk_mb)
    .bind(node.disk_overallocate)
    .bind(i64::from(input.maintenance))
    .bind(state.now())
    .bind(id)
    .execute(state.db.pool())
    .await
    .map_err(unique_as(
        "name",
        t("A node with this name already exists."),
    ))?;
    let details = json!({ "name": node.name, "fqdn": node.fqdn, "maintenance": input.maintenance });
    record(request, caller, Event::NodeUpdated, id, details).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, node_id = id))]
pub async fn reset_secret(
    request: &Request,
    caller: &Caller,
    id: i64,
) -> Result<NodeSecret, AppError> {
    let secret = new_secret();
    let result = sqlx::query("update nodes set daemon_secret = $1, updated_at = $2 where id = $3")
        .bind(&secret)
        .bind(request.state.now())
        .bind(id)
        .execute(request.state.db.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record(
        request,
        caller,
        Event::NodeSecretReset,
        id,
        serde_json::Value::Null,
    )
    .await;
    Ok(NodeSecret {
        node_id: id,
        daemon_secret: secret,
    })
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, node_id = id))]
pub async fn add_allocations(
    request: &Request,
    caller: &Caller,
    id: i64,
    ip: &str,
    ports: &str,
) -> Result<i64, AppError> {
    let state = &request.state;
    let mut errors = FieldErrors::default();
    let ip = errors.check(
        "ip",
        ip.trim()
            .parse::<IpAddr>()
            .map_err(|_| t("Enter an IPv4 or IPv6 address.").to_owned()),
    );
    let ports = errors.check("ports", parse_ports(ports));
    errors.finish()?;
    let (Some(ip), Some(ports)) = (ip, ports) else {
        return Err(AppError::Internal);
    };
    let ip = ip.to_string();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(&format!(
        "select id from nodes where id = $1{}",
        state.db.row_lock()
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let mut added = 0;
    for port in &ports {
        // Addresses already present stay as they are; the answer counts the new ones.
        added += sqlx::query(
            "insert into allocations (node_id, ip, port) values ($1, $2, $3) on conflict do nothing",
        )
        .bind(id)
        .bind(&ip)
        .bind(i64::from(*port))
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
    }
    tx.commit().await?;
    let details = json!({ "ip": ip, "ports": ports.len(), "added": added });
    record(request, caller, Event::AllocationsAdded, id, details).await;
    Ok(added)
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, node_id = id))]
pub async fn remove_allocation(
    request: &Request,
    caller: &Caller,
    id: i64,
    allocation_id: i64,
) -> Result<(), AppError> {
    let state = &request.state;
    let mut tx = state.db.begin_write().await?;
    let row = sqlx::query(&format!(
        "select a.ip, a.port, (select s.id from servers s where s.allocation_id = a.id) as server_id from allocations a \
         where a.id = $1 and a.node_id = $2{}",
        state.db.row_lock()
    ))
    .bind(allocation_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.try_get::<Option<i64>, _>("server_id")?.is_some() {
        return Err(AppError::Conflict {
            message: t("A server uses this allocation. Give the server another one first.").into(),
        });
    }
    sqlx::query("delete from allocations where id = $1")
        .bind(allocation_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let details =
        json!({ "ip": row.try_get::<String, _>("ip")?, "port": row.try_get::<i64, _>("port")? });
    record(request, caller, Event::AllocationRemoved, id, details).await;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, node_id = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let guarded = Guarded {
        table: "nodes",
        label: "name",
        thing: "node",
        used_by: ("server", "servers"),
        count_users: "select count(*) from servers where node_id = $1",
        also_delete: &["delete from allocations where node_id = $1"],
    };
    let name = delete_unless_used(&request.state, &guarded, id).await?;
    record(
        request,
        caller,
        Event::NodeDeleted,
        id,
        json!({ "name": name }),
    )
    .await;
    Ok(())
}
