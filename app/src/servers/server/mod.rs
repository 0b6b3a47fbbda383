//! Server services for the people who use a server: access resolution, the list, the overview,
//! renaming and the startup settings.

pub mod admin;

use super::{Relation, ServerListItem, ServerListPage, ServerView, Startup, StartupVariable};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::eggs::variables::Rules;
use crate::eggs::EggVariable;
use crate::error::AppError;
use crate::fields::{line, text};
use crate::i18n::t;
use crate::permissions::{
    server_access, AdminPermission, Principal, ServerAccess, ServerPermission,
};
use crate::users::validation::FieldErrors;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

/// One server as seen by one caller on this request.
#[derive(Debug, Clone)]
pub struct ServerScope {
    pub id: i64,
    pub owner_id: i64,
    pub node_id: i64,
    pub name: String,
    pub suspended: bool,
    pub is_owner: bool,
    pub access: ServerAccess,
}

impl ServerScope {
    pub fn can(&self, permission: ServerPermission) -> bool {
        self.access.permissions.contains(&permission)
    }

    /// Refuses with 403, naming the key, unless the caller holds `permission` here.
    pub fn require(&self, permission: ServerPermission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                missing: Some(permission.key().to_owned()),
            })
        }
    }
}

/// The caller's principal for the resolver.
pub fn principal(caller: &Caller) -> Principal<'_> {
    Principal {
        is_admin: caller.user.is_admin,
        role: caller.role_permissions.as_ref(),
    }
}

/// The stored grant of `user_id` on `server_id`, if any: (sub-user id, keys).
pub async fn grant_of(
    state: &AppState,
    server_id: i64,
    user_id: i64,
) -> Result<Option<(i64, Vec<ServerPermission>)>, AppError> {
    let row =
        sqlx::query("select id, permissions from subusers where server_id = $1 and user_id = $2")
            .bind(server_id)
            .bind(user_id)
            .fetch_optional(state.db.pool())
            .await?;
    match row {
        Some(row) => {
            let keys = crate::auth::server::sessions::stored_keys(
                row.try_get("permissions")?,
                ServerPermission::from_key,
            );
            Ok(Some((row.try_get("id")?, keys.into_iter().collect())))
        }
        None => Ok(None),
    }
}

/// Resolves the caller on server `id` from fresh rows. A server the caller may not see is
/// "not found", whether or not it exists.
pub async fn scope(state: &AppState, caller: &Caller, id: i64) -> Result<ServerScope, AppError> {
    let row =
        sqlx::query("select id, owner_id, node_id, name, suspended from servers where id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let owner_id: i64 = row.try_get("owner_id")?;
    let is_owner = owner_id == caller.user.id;
    let grant = grant_of(state, id, caller.user.id)
        .await?
        .map(|(_, keys)| keys)
        .unwrap_or_default();
    let access = server_access(principal(caller), is_owner, &grant);
    if !access.visible {
        return Err(AppError::NotFound);
    }
    Ok(ServerScope {
        id,
        owner_id,
        node_id: row.try_get("node_id")?,
        name: row.try_get("name")?,
        suspended: row.try_get::<i64, _>("suspended")? == 1,
        is_owner,
        access,
    })
}

/// Whether the caller may switch the list to every server of the panel.
pub fn can_list_all(caller: &Caller) -> bool {
    caller.user.is_admin
        || caller.user.can(AdminPermission::ServersRead)
        || !caller.role_server_permissions().is_empty()
}

/// Turns a user's filter text into a `like` pattern in which `%`, `_` and `\` are plain data.
pub fn like_pattern(filter: &str) -> String {
    let mut pattern = String::from("%");
    for c in filter.trim().to_lowercase().chars().take(100) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

const PAGE: i64 = 50;

pub async fn list_for(
    state: &AppState,
    caller: &Caller,
    all: bool,
    filter: &str,
    after: Option<i64>,
) -> Result<ServerListPage, AppError> {
    let can_list_all = can_list_all(caller);
    let everything = all && can_list_all;
    // A user's own list starts from the servers they own or share (both indexed by user), so it
    // costs what they can reach, not what the panel holds: with one condition for both lists,
    // a user with 20 servers among 10,000 had every server walked in id order.
    let scope = if everything {
        ""
    } else {
        "and s.id in (select id from servers where owner_id = $1
                      union all
                      select server_id from subusers where user_id = $1)"
    };
    let rows = sqlx::query(&format!(
        r#"
        select s.id, s.name, s.description, s.suspended, s.owner_id, n.name as node,
               a.ip, a.port, u.username as owner,
               (select count(*) from subusers su where su.server_id = s.id and su.user_id = $1) as shared
        from servers s
        join nodes n on n.id = s.node_id
        join allocations a on a.id = s.allocation_id
        join users u on u.id = s.owner_id
        where s.id > $2
          and lower(s.name) like $3 escape '\'
          {scope}
        order by s.id
        limit $4
        "#
    ))
    .bind(caller.user.id)
    .bind(after.unwrap_or(0))
    .bind(like_pattern(filter))
    .bind(PAGE + 1)
    .fetch_all(state.db.pool())
    .await?;
    let mut items = rows
        .iter()
        .map(|row| {
            let relation = if row.try_get::<i64, _>("owner_id")? == caller.user.id {
                Relation::Owner
            } else if row.try_get::<i64, _>("shared")? > 0 {
                Relation::Subuser
            } else {
                Relation::Panel
            };
            Ok(ServerListItem {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                node: row.try_get("node")?,
                address: address(&row.try_get::<String, _>("ip")?, row.try_get("port")?),
                owner: row.try_get("owner")?,
                suspended: row.try_get::<i64, _>("suspended")? == 1,
                relation,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let next_after = if items.len() as i64 > PAGE {
        items.truncate(PAGE as usize);
        items.last().map(|item| item.id)
    } else {
        None
    };
    Ok(ServerListPage {
        rows: items,
        next_after,
        can_list_all,
    })
}

/// `ip:port`, with brackets around an IPv6 address.
pub fn address(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

pub async fn view(state: &AppState, scope: &ServerScope) -> Result<ServerView, AppError> {
    let row = sqlx::query(
        r#"
        select s.id, s.name, s.description, s.docker_image, s.memory_mb, s.disk_mb, s.cpu_percent,
               s.suspended, n.name as node, a.ip, a.port, e.name as egg, u.username as owner
        from servers s
        join nodes n on n.id = s.node_id
        join allocations a on a.id = s.allocation_id
        join eggs e on e.id = s.egg_id
        join users u on u.id = s.owner_id
        where s.id = $1
        "#,
    )
    .bind(scope.id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(ServerView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        node: row.try_get("node")?,
        address: address(&row.try_get::<String, _>("ip")?, row.try_get("port")?),
        egg: row.try_get("egg")?,
        docker_image: row.try_get("docker_image")?,
        memory_mb: row.try_get("memory_mb")?,
        disk_mb: row.try_get("disk_mb")?,
        cpu_percent: row.try_get("cpu_percent")?,
        suspended: row.try_get::<i64, _>("suspended")? == 1,
        owner: row.try_get("owner")?,
        is_owner: scope.is_owner,
        permissions: scope.access.permissions.iter().copied().collect(),
    })
}

/// Validated server name and description.
pub fn check_name(name: &str, description: &str) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", line(name, 1, 100));
    let description = errors.check("description", text(description, 1000));
    errors.finish()?;
    Ok((name.unwrap_or_default(), description.unwrap_or_default()))
}

/// Records an event on a server.
pub async fn record(
    request: &Request,
    caller: &Caller,
    event: Event,
    server_id: i64,
    details: serde_json::Value,
) {
    let entry = Entry::new(event)
        .by(caller)
        .subject("server", server_id)
        .details(details);
    request.record(entry).await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn rename(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    name: &str,
    description: &str,
) -> Result<(), AppError> {
    let (name, description) = check_name(name, description)?;
    sqlx::query("update servers set name = $1, description = $2, updated_at = $3 where id = $4")
        .bind(&name)
        .bind(&description)
        .bind(request.state.now())
        .bind(scope.id)
        .execute(request.state.db.pool())
        .await?;
    let details = json!({ "from": scope.name, "to": name });
    record(request, caller, Event::ServerRenamed, scope.id, details).await;
    Ok(())
}

/// The egg's variables and images, and the server's values, image and startup command.
pub struct StartupRows {
    pub command: String,
    pub docker_image: String,
    pub images: Vec<String>,
    pub variables: Vec<EggVariable>,
    pub values: BTreeMap<String, String>,
}

pub async fn startup_rows(state: &AppState, server_id: i64) -> Result<StartupRows, AppError> {
    let row = sqlx::query(
        r#"
        select s.docker_image, s.variables as values_json, e.startup, e.docker_images, e.variables
        from servers s join eggs e on e.id = s.egg_id
        where s.id = $1
        "#,
    )
    .bind(server_id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let decode =
        |column: &str| -> Result<String, AppError> { Ok(row.try_get::<String, _>(column)?) };
    let parse_error = |error: serde_json::Error| {
        tracing::error!(%error, "stored startup JSON does not decode");
        AppError::Internal
    };
    Ok(StartupRows {
        command: decode("startup")?,
        docker_image: decode("docker_image")?,
        images: serde_json::from_str(&decode("docker_images")?).map_err(parse_error)?,
        variables: serde_json::from_str(&decode("variables")?).map_err(parse_error)?,
        values: serde_json::from_str(&decode("values_json")?).map_err(parse_error)?,
    })
}

pub async fn startup(state: &AppState, scope: &ServerScope) -> Result<Startup, AppError> {
    let rows = startup_rows(state, scope.id).await?;
    let may_edit = scope.can(ServerPermission::StartupUpdate);
    // Root admins and owners see every variable; everyone else what the egg lets users see.
    let sees_all = scope.is_owner || scope.access.permissions.len() == ServerPermission::ALL.len();
    let variables = rows
        .variables
        .into_iter()
        .filter(|v| v.user_viewable || sees_all)
        .map(|v| StartupVariable {
            value: rows
                .values
                .get(&v.env_name)
                .cloned()
                .unwrap_or_else(|| v.default.clone()),
            editable: may_edit && v.user_editable,
            name: v.name,
            description: v.description,
            env_name: v.env_name,
            rules: v.rules,
        })
        .collect();
    Ok(Startup {
        command: rows.command,
        docker_image: rows.docker_image,
        docker_images: if scope.can(ServerPermission::StartupDockerImage) {
            rows.images
        } else {
            Vec::new()
        },
        variables,
    })
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn update_startup(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    values: BTreeMap<String, String>,
    docker_image: Option<String>,
) -> Result<(), AppError> {
    let state = &request.state;
    let rows = startup_rows(state, scope.id).await?;
    let mut stored = rows.values.clone();
    let mut errors = FieldErrors::default();
    for (env_name, value) in &values {
        let field = format!("variables.{env_name}");
        // A variable the user may not edit (or that does not exist) is refused by name, so a
        // crafted request cannot set what the form does not offer.
        let Some(variable) = rows
            .variables
            .iter()
            .find(|v| &v.env_name == env_name && v.user_viewable && v.user_editable)
        else {
            return Err(AppError::Forbidden {
                missing: Some(ServerPermission::StartupUpdate.key().to_owned()),
            });
        };
        let checked = Rules::parse(&variable.rules).and_then(|rules| rules.check(value));
        if errors.check(&field, checked).is_some() {
            stored.insert(env_name.clone(), value.clone());
        }
    }
    let image = match docker_image {
        Some(image) if image != rows.docker_image => {
            scope.require(ServerPermission::StartupDockerImage)?;
            if !rows.images.contains(&image) {
                errors.check::<()>(
                    "docker_image",
                    Err(t("Choose one of the egg's images.").into()),
                );
            }
            image
        }
        _ => rows.docker_image.clone(),
    };
    errors.finish()?;
    let encoded = serde_json::to_string(&stored).map_err(|error| {
        tracing::error!(%error, "could not encode startup values");
        AppError::Internal
    })?;
    sqlx::query(
        "update servers set variables = $1, docker_image = $2, updated_at = $3 where id = $4",
    )
    .bind(encoded)
    .bind(&image)
    .bind(state.now())
    .bind(scope.id)
    .execute(state.db.pool())
    .await?;
    let changed: Vec<&String> = values.keys().collect();
    let details = json!({ "variables": changed, "docker_image": image });
    record(request, caller, Event::StartupUpdated, scope.id, details).await;
    Ok(())
}
