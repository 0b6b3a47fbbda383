//! Server services for the admin area.

use super::{address, check_name, record};
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::eggs::variables::Rules;
use crate::eggs::EggVariable;
use crate::error::AppError;
use crate::fields::number;
use crate::i18n::{t, tf};
use crate::permissions::AdminPermission;
use crate::servers::admin::{
    AdminServer, EggChoice, FreeAllocation, NodeChoice, ServerFormChoices, ServerInput,
};
use crate::users::validation::FieldErrors;
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

fn decode<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, AppError> {
    serde_json::from_str(raw).map_err(|error| {
        tracing::error!(%error, "a stored JSON column does not decode");
        AppError::Internal
    })
}

pub async fn get(state: &AppState, id: i64) -> Result<AdminServer, AppError> {
    let row = sqlx::query(
        r#"
        select s.id, s.name, s.description, s.owner_id, u.username as owner, s.node_id,
               n.name as node, s.allocation_id, a.ip, a.port, s.egg_id, e.name as egg,
               s.docker_image, s.variables, s.memory_mb, s.disk_mb, s.cpu_percent,
               s.backup_configuration_id, s.suspended
        from servers s
        join users u on u.id = s.owner_id
        join nodes n on n.id = s.node_id
        join allocations a on a.id = s.allocation_id
        join eggs e on e.id = s.egg_id
        where s.id = $1
        "#,
    )
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let transfers = sqlx::query(
        r#"
        select n.name, t.created_at from server_transfers t join nodes n on n.id = t.to_node_id
        where t.server_id = $1 order by t.id desc
        "#,
    )
    .bind(id)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("name")?, r.try_get("created_at")?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(AdminServer {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        owner_id: row.try_get("owner_id")?,
        owner: row.try_get("owner")?,
        node_id: row.try_get("node_id")?,
        node: row.try_get("node")?,
        allocation_id: row.try_get("allocation_id")?,
        address: address(&row.try_get::<String, _>("ip")?, row.try_get("port")?),
        egg_id: row.try_get("egg_id")?,
        egg: row.try_get("egg")?,
        docker_image: row.try_get("docker_image")?,
        variables: decode(&row.try_get::<String, _>("variables")?)?,
        memory_mb: row.try_get("memory_mb")?,
        disk_mb: row.try_get("disk_mb")?,
        cpu_percent: row.try_get("cpu_percent")?,
        backup_configuration_id: row.try_get("backup_configuration_id")?,
        suspended: row.try_get::<i64, _>("suspended")? == 1,
        transfers,
    })
}

pub async fn options(state: &AppState) -> Result<ServerFormChoices, AppError> {
    let pool = state.db.pool();
    let free = sqlx::query(
        r#"
        select a.id, a.node_id, a.ip, a.port from allocations a
        where not exists (select 1 from servers s where s.allocation_id = a.id)
        order by a.ip, a.port
        "#,
    )
    .fetch_all(pool)
    .await?;
    let nodes = sqlx::query("select id, name, maintenance from nodes order by name_canonical")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let free = free
                .iter()
                .filter(|a| a.try_get::<i64, _>("node_id").ok() == Some(id))
                .map(|a| {
                    Ok(FreeAllocation {
                        id: a.try_get("id")?,
                        address: address(&a.try_get::<String, _>("ip")?, a.try_get("port")?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            Ok(NodeChoice {
                id,
                name: row.try_get("name")?,
                maintenance: row.try_get::<i64, _>("maintenance")? == 1,
                free,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let eggs = sqlx::query(
        r#"
        select e.id, e.name, n.name as nest, e.docker_images, e.variables
        from eggs e join nests n on n.id = e.nest_id order by n.name_canonical, e.name
        "#,
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(EggChoice {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            nest: row.try_get("nest")?,
            docker_images: decode(&row.try_get::<String, _>("docker_images")?)?,
            variables: decode(&row.try_get::<String, _>("variables")?)?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let backup_configurations =
        sqlx::query("select id, name from backup_configurations order by name_canonical")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("name")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ServerFormChoices {
        nodes,
        eggs,
        backup_configurations,
    })
}

/// The largest memory or disk limit accepted, in MiB.
const MAX_MB: i64 = 1 << 30;

/// A server form that passed validation, with its references resolved.
struct ValidServer {
    name: String,
    description: String,
    owner_id: i64,
    variables: BTreeMap<String, String>,
}

/// Checks values against the egg's variables: every key must be declared, every value must
/// pass its rules; variables left out take their default.
fn check_variables(
    declared: &[EggVariable],
    given: &BTreeMap<String, String>,
    kept: &BTreeMap<String, String>,
    errors: &mut FieldErrors,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for key in given.keys() {
        if !declared.iter().any(|v| &v.env_name == key) {
            let shown: String = key.chars().take(64).collect();
            errors.check::<()>(
                "variables",
                Err(tf("The egg has no variable {name}.", &[("name", &shown)])),
            );
        }
    }
    for variable in declared {
        // A variable left out keeps its current value, or takes the egg's default.
        let value = given
            .get(&variable.env_name)
            .or_else(|| kept.get(&variable.env_name))
            .cloned()
            .unwrap_or_else(|| variable.default.clone());
        let checked = Rules::parse(&variable.rules).and_then(|rules| rules.check(&value));
        if errors
            .check(&format!("variables.{}", variable.env_name), checked)
            .is_some()
        {
            out.insert(variable.env_name.clone(), value);
        }
    }
    out
}

async fn validate(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    input: &ServerInput,
    current: Option<&AdminServer>,
) -> Result<ValidServer, AppError> {
    let (name, description) = check_name(&input.name, &input.description)?;
    let mut errors = FieldErrors::default();
    errors.check("memory_mb", number(input.memory_mb, 1, MAX_MB));
    errors.check("disk_mb", number(input.disk_mb, 1, MAX_MB));
    errors.check("cpu_percent", number(input.cpu_percent, 0, 100_000));

    // No username or address holds a control character, and PostgreSQL refuses a NUL byte in
    // a text value, so such an owner is not looked up at all.
    let owner = input.owner.trim().to_lowercase();
    let owner_id: Option<i64> = if owner.chars().any(char::is_control) {
        None
    } else {
        sqlx::query("select id from users where username_canonical = $1 or email_canonical = $1")
            .bind(&owner)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?
    };
    if owner_id.is_none() {
        errors.check::<()>(
            "owner",
            Err(t("No account has this username or email.").into()),
        );
    }

    let node = sqlx::query(
        "select memory_mb, memory_overallocate, disk_mb, disk_overallocate, maintenance from nodes where id = $1",
    )
    .bind(input.node_id)
    .fetch_optional(&mut **tx)
    .await?;
    match (&node, current) {
        (None, _) => {
            errors.check::<()>("node_id", Err(t("Choose an existing node.").into()));
        }
        (Some(_), Some(current)) if current.node_id != input.node_id => {
            errors.check::<()>(
                "node_id",
                Err(t("Move a server to another node with a transfer.").into()),
            );
        }
        (Some(node), None) if node.try_get::<i64, _>("maintenance")? == 1 => {
            errors.check::<()>("node_id", Err(t("This node is in maintenance.").into()));
        }
        _ => {}
    }

    // The allocation must be on the node and free, or already this server's. It is locked so
    // two servers cannot take it at once.
    let allocation = sqlx::query(&format!(
        "select (select s.id from servers s where s.allocation_id = a.id) as server_id from allocations a where a.id = $1 and a.node_id = $2{}",
        state.db.row_lock()
    ))
    .bind(input.allocation_id)
    .bind(input.node_id)
    .fetch_optional(&mut **tx)
    .await?;
    let holder = match &allocation {
        Some(row) => row.try_get::<Option<i64>, _>("server_id")?,
        None => {
            errors.check::<()>(
                "allocation_id",
                Err(t("Choose an address on this node.").into()),
            );
            None
        }
    };
    if holder.is_some() && holder != current.map(|c| c.id) {
        errors.check::<()>(
            "allocation_id",
            Err(t("Another server uses this address.").into()),
        );
    }

    let egg = sqlx::query("select docker_images, variables from eggs where id = $1")
        .bind(input.egg_id)
        .fetch_optional(&mut **tx)
        .await?;
    let mut variables = BTreeMap::new();
    match egg {
        None => {
            errors.check::<()>("egg_id", Err(t("Choose an existing egg.").into()));
        }
        Some(egg) => {
            let images: Vec<String> = decode(&egg.try_get::<String, _>("docker_images")?)?;
            if !images.contains(&input.docker_image) {
                errors.check::<()>(
                    "docker_image",
                    Err(t("Choose one of the egg's images.").into()),
                );
            }
            let declared: Vec<EggVariable> = decode(&egg.try_get::<String, _>("variables")?)?;
            let kept = current
                .filter(|c| c.egg_id == input.egg_id)
                .map(|c| c.variables.clone())
                .unwrap_or_default();
            variables = check_variables(&declared, &input.variables, &kept, &mut errors);
        }
    }

    if let Some(id) = input.backup_configuration_id {
        let found = sqlx::query("select id from backup_configurations where id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            errors.check::<()>(
                "backup_configuration_id",
                Err(t("Choose an existing backup configuration.").into()),
            );
        }
    }

    if let Some(node) = &node {
        check_capacity(tx, input, current, node, &mut errors).await?;
    }
    errors.finish()?;
    Ok(ValidServer {
        name,
        description,
        owner_id: owner_id.ok_or(AppError::Internal)?,
        variables,
    })
}

/// Refuses limits that would take the node past its size plus over-allocation (unless the
/// node's over-allocation is -1, which turns the check off).
async fn check_capacity(
    tx: &mut Transaction<'static, Any>,
    input: &ServerInput,
    current: Option<&AdminServer>,
    node: &sqlx::any::AnyRow,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let totals = sqlx::query(
        r#"
        select cast(coalesce(sum(memory_mb), 0) as bigint) as memory,
               cast(coalesce(sum(disk_mb), 0) as bigint) as disk
        from servers where node_id = $1 and id <> $2
        "#,
    )
    .bind(input.node_id)
    .bind(current.map_or(0, |c| c.id))
    .fetch_one(&mut **tx)
    .await?;
    for (field, wanted, before, size, over, used) in [
        (
            "memory_mb",
            input.memory_mb,
            current.map(|c| c.memory_mb),
            "memory_mb",
            "memory_overallocate",
            "memory",
        ),
        (
            "disk_mb",
            input.disk_mb,
            current.map(|c| c.disk_mb),
            "disk_mb",
            "disk_overallocate",
            "disk",
        ),
    ] {
        let over: i64 = node.try_get(over)?;
        // A limit that does not grow is always accepted, so a server on a node that is full
        // (or was made smaller) can still be renamed or shrunk.
        if over < 0 || before.is_some_and(|before| wanted <= before) {
            continue;
        }
        let size: i64 = node.try_get(size)?;
        let used: i64 = totals.try_get(used)?;
        let limit = size.saturating_mul(100 + over) / 100;
        if used.saturating_add(wanted) > limit {
            let left = (limit - used).max(0);
            errors.check::<()>(
                field,
                Err(tf(
                    "The node has {left} MiB left for this.",
                    &[("left", &crate::i18n::format::number(left))],
                )),
            );
        }
    }
    Ok(())
}

fn encode(values: &BTreeMap<String, String>) -> Result<String, AppError> {
    serde_json::to_string(values).map_err(|error| {
        tracing::error!(%error, "could not encode server variables");
        AppError::Internal
    })
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: ServerInput,
) -> Result<AdminServer, AppError> {
    let state = &request.state;
    let mut tx = state.db.begin_write().await?;
    let valid = validate(state, &mut tx, &input, None).await?;
    let now = state.now();
    let row = sqlx::query(
        r#"
        insert into servers (name, description, owner_id, node_id, allocation_id, egg_id,
                             docker_image, variables, memory_mb, disk_mb, cpu_percent,
                             backup_configuration_id, suspended, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $13)
        returning id
        "#,
    )
    .bind(&valid.name)
    .bind(&valid.description)
    .bind(valid.owner_id)
    .bind(input.node_id)
    .bind(input.allocation_id)
    .bind(input.egg_id)
    .bind(&input.docker_image)
    .bind(encode(&valid.variables)?)
    .bind(input.memory_mb)
    .bind(input.disk_mb)
    .bind(input.cpu_percent)
    .bind(input.backup_configuration_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    tx.commit().await?;
    let details = json!({ "name": valid.name, "owner_id": valid.owner_id, "node_id": input.node_id, "egg_id": input.egg_id });
    record(request, caller, Event::ServerCreated, id, details).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: ServerInput,
) -> Result<AdminServer, AppError> {
    let state = &request.state;
    let current = get(state, id).await?;
    if input.allocation_id != current.allocation_id {
        caller.require(AdminPermission::ServersAllocations)?;
    }
    let mut tx = state.db.begin_write().await?;
    let valid = validate(state, &mut tx, &input, Some(&current)).await?;
    // Only a value that differs from the stored one is a change of variables.
    let changes_variables = input.egg_id != current.egg_id
        || input
            .variables
            .iter()
            .any(|(key, value)| current.variables.get(key) != Some(value));
    if changes_variables {
        caller.require(AdminPermission::ServersVariables)?;
    }
    sqlx::query(
        r#"
        update servers set name = $1, description = $2, owner_id = $3, allocation_id = $4,
            egg_id = $5, docker_image = $6, variables = $7, memory_mb = $8, disk_mb = $9,
            cpu_percent = $10, backup_configuration_id = $11, updated_at = $12
        where id = $13
        "#,
    )
    .bind(&valid.name)
    .bind(&valid.description)
    .bind(valid.owner_id)
    .bind(input.allocation_id)
    .bind(input.egg_id)
    .bind(&input.docker_image)
    .bind(encode(&valid.variables)?)
    .bind(input.memory_mb)
    .bind(input.disk_mb)
    .bind(input.cpu_percent)
    .bind(input.backup_configuration_id)
    .bind(state.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // A new owner holds every key already; a grant of theirs would only linger.
    sqlx::query("delete from subusers where server_id = $1 and user_id = $2")
        .bind(id)
        .bind(valid.owner_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let details = json!({
        "name": valid.name,
        "owner_id": { "from": current.owner_id, "to": valid.owner_id },
        "allocation_id": { "from": current.allocation_id, "to": input.allocation_id },
        "limits": { "memory_mb": input.memory_mb, "disk_mb": input.disk_mb, "cpu_percent": input.cpu_percent },
    });
    record(request, caller, Event::ServerUpdated, id, details).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = id))]
pub async fn set_suspended(
    request: &Request,
    caller: &Caller,
    id: i64,
    suspended: bool,
) -> Result<AdminServer, AppError> {
    let state = &request.state;
    let result = sqlx::query("update servers set suspended = $1, updated_at = $2 where id = $3")
        .bind(i64::from(suspended))
        .bind(state.now())
        .bind(id)
        .execute(state.db.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let event = if suspended {
        Event::ServerSuspended
    } else {
        Event::ServerUnsuspended
    };
    record(request, caller, event, id, serde_json::Value::Null).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = id))]
pub async fn transfer(
    request: &Request,
    caller: &Caller,
    id: i64,
    node_id: i64,
) -> Result<AdminServer, AppError> {
    let state = &request.state;
    let current = get(state, id).await?;
    let node = sqlx::query("select maintenance from nodes where id = $1")
        .bind(node_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or_else(|| AppError::field("node_id", t("Choose an existing node.")))?;
    if node_id == current.node_id {
        return Err(AppError::field(
            "node_id",
            t("The server is on this node already."),
        ));
    }
    if node.try_get::<i64, _>("maintenance")? == 1 {
        return Err(AppError::field(
            "node_id",
            t("This node is in maintenance."),
        ));
    }
    sqlx::query(
        r#"
        insert into server_transfers (server_id, from_node_id, to_node_id, requested_by, created_at)
        values ($1, $2, $3, $4, $5)
        "#,
    )
    .bind(id)
    .bind(current.node_id)
    .bind(node_id)
    .bind(caller.user.id)
    .bind(state.now())
    .execute(state.db.pool())
    .await?;
    let details = json!({ "from_node_id": current.node_id, "to_node_id": node_id });
    record(request, caller, Event::ServerTransferRequested, id, details).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let state = &request.state;
    let current = get(state, id).await?;
    let mut tx = state.db.begin_write().await?;
    for table in ["subusers", "daemon_tokens", "server_transfers"] {
        sqlx::query(&format!("delete from {table} where server_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let deleted = sqlx::query("delete from servers where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    let details = json!({ "name": current.name, "owner_id": current.owner_id });
    record(request, caller, Event::ServerDeleted, id, details).await;
    Ok(())
}
