//! Role services. Every change checks "nobody grants what they lack": a caller who is not a
//! root admin may only put into a role the admin keys they hold and the server keys their own
//! role grants.

use super::{Role, RoleHolder, RoleInput, RoleSummary};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::auth::server::sessions::stored_keys;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::permissions::{first_missing, AdminPermission, ServerPermission};
use crate::users::validation::FieldErrors;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeSet;

/// A role form that passed validation.
struct ValidRole {
    name: String,
    description: String,
    require_two_factor: bool,
    admin: BTreeSet<AdminPermission>,
    server: BTreeSet<ServerPermission>,
}

fn parse_all<T: Ord>(
    keys: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<BTreeSet<T>, String> {
    keys.iter()
        .map(|key| {
            parse(key).ok_or_else(|| {
                tf(
                    "Unknown permission `{key}`.",
                    &[("key", &key.chars().take(64).collect::<String>())],
                )
            })
        })
        .collect()
}

fn validate(input: &RoleInput) -> Result<ValidRole, AppError> {
    let mut errors = FieldErrors::default();
    let name = input.name.trim();
    let name_ok = if name.is_empty() || name.chars().count() > 64 {
        Err(t("Role names are 1 to 64 characters long.").to_owned())
    } else if name.chars().any(char::is_control) {
        Err(t("Role names cannot contain control characters.").to_owned())
    } else {
        Ok(())
    };
    errors.check("name", name_ok);
    let description_ok = if input.description.chars().count() > 500 {
        Err(t("Descriptions are at most 500 characters long.").to_owned())
    } else if input
        .description
        .chars()
        .any(|c| c.is_control() && c != '\n')
    {
        Err(t("Descriptions cannot contain control characters.").to_owned())
    } else {
        Ok(())
    };
    errors.check("description", description_ok);
    let admin = errors.check(
        "admin_permissions",
        parse_all(&input.admin_permissions, AdminPermission::from_key),
    );
    let server = errors.check(
        "server_permissions",
        parse_all(&input.server_permissions, ServerPermission::from_key),
    );
    errors.finish()?;
    Ok(ValidRole {
        name: name.to_owned(),
        description: input.description.trim().to_owned(),
        require_two_factor: input.require_two_factor,
        admin: admin.unwrap_or_default(),
        server: server.unwrap_or_default(),
    })
}

/// Refuses keys in `admin`/`server` that the caller does not hold (root admins hold all):
/// the one check behind "nobody grants what they lack", for roles and for users alike.
pub fn check_grantable<'a>(
    caller: &Caller,
    admin: impl IntoIterator<Item = &'a AdminPermission>,
    server: impl IntoIterator<Item = &'a ServerPermission>,
) -> Result<(), AppError> {
    if caller.user.is_admin {
        return Ok(());
    }
    if let Some(key) = first_missing(&caller.user.admin_permissions, admin) {
        return Err(AppError::Forbidden {
            missing: Some(key.key().to_owned()),
        });
    }
    if let Some(key) = first_missing(&caller.role_server_permissions(), server) {
        return Err(AppError::Forbidden {
            missing: Some(key.key().to_owned()),
        });
    }
    Ok(())
}

fn keys_json<T: Copy + Into<String>>(keys: &BTreeSet<T>) -> String {
    let keys: Vec<String> = keys.iter().map(|k| (*k).into()).collect();
    serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())
}

fn role_from_row(row: &AnyRow) -> Result<Role, AppError> {
    Ok(Role {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        require_two_factor: row.try_get::<i64, _>("require_two_factor")? == 1,
        admin_permissions: stored_keys(
            row.try_get("admin_permissions")?,
            AdminPermission::from_key,
        )
        .into_iter()
        .collect(),
        server_permissions: stored_keys(
            row.try_get("server_permissions")?,
            ServerPermission::from_key,
        )
        .into_iter()
        .collect(),
        version: row.try_get("version")?,
    })
}

const ROLE_COLUMNS: &str =
    "id, name, description, require_two_factor, admin_permissions, server_permissions, version";

pub async fn list(state: &AppState) -> Result<Vec<RoleSummary>, AppError> {
    let rows = sqlx::query(
        r#"
        select r.id, r.name, r.description, r.require_two_factor, r.admin_permissions,
               r.server_permissions, r.version,
               (select count(*) from users u where u.role_id = r.id) as holders
        from roles r
        order by r.name_canonical
        "#,
    )
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let role = role_from_row(row)?;
            Ok(RoleSummary {
                id: role.id,
                name: role.name,
                description: role.description,
                require_two_factor: role.require_two_factor,
                admin_permissions: role.admin_permissions.len(),
                server_permissions: role.server_permissions.len(),
                holders: row.try_get("holders")?,
            })
        })
        .collect()
}

pub async fn get(state: &AppState, id: i64) -> Result<Role, AppError> {
    let row = sqlx::query(&format!("select {ROLE_COLUMNS} from roles where id = $1"))
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    role_from_row(&row)
}

pub async fn holders(state: &AppState, id: i64) -> Result<Vec<RoleHolder>, AppError> {
    get(state, id).await?;
    let rows = sqlx::query(
        "select id, username, first_name, last_name from users where role_id = $1 order by username_canonical",
    )
    .bind(id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RoleHolder {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                name: format!(
                    "{} {}",
                    row.try_get::<String, _>("first_name")?,
                    row.try_get::<String, _>("last_name")?
                ),
            })
        })
        .collect()
}

fn name_taken() -> AppError {
    AppError::field("name", t("A role with this name already exists."))
}

async fn insert(state: &AppState, role: &ValidRole) -> Result<i64, AppError> {
    let now = state.now();
    let row = sqlx::query(
        r#"
        insert into roles (name, name_canonical, description, require_two_factor,
                           admin_permissions, server_permissions, version, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, 1, $7, $7)
        returning id
        "#,
    )
    .bind(&role.name)
    .bind(role.name.to_lowercase())
    .bind(&role.description)
    .bind(i64::from(role.require_two_factor))
    .bind(keys_json(&role.admin))
    .bind(keys_json(&role.server))
    .bind(now)
    .fetch_one(state.db.pool())
    .await
    .map_err(|error| match error.as_database_error() {
        Some(db) if db.is_unique_violation() => name_taken(),
        _ => AppError::from(error),
    })?;
    Ok(row.try_get("id")?)
}

async fn record_role(
    request: &Request,
    caller: &Caller,
    event: Event,
    id: i64,
    details: serde_json::Value,
) {
    request
        .record(
            Entry::new(event)
                .by(caller)
                .subject("role", id)
                .details(details),
        )
        .await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: RoleInput,
) -> Result<Role, AppError> {
    let role = validate(&input)?;
    check_grantable(caller, &role.admin, &role.server)?;
    let id = insert(&request.state, &role).await?;
    let details = json!({ "name": role.name, "admin_permissions": keys_json(&role.admin), "server_permissions": keys_json(&role.server) });
    record_role(request, caller, Event::RoleCreated, id, details).await;
    get(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, role_id = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    version: i64,
    input: RoleInput,
) -> Result<Role, AppError> {
    let state = &request.state;
    let role = validate(&input)?;
    let current = get(state, id).await?;
    // A caller edits only roles they could have made: every key the role has now, and every
    // key it will have, must be theirs. So nobody loosens (drops the two-factor requirement of,
    // or empties) a role broader than their own, and no race can bring back a key they lack.
    check_grantable(
        caller,
        role.admin.iter().chain(&current.admin_permissions),
        role.server.iter().chain(&current.server_permissions),
    )?;

    // The version check and the write are one statement: of two saves of the same version,
    // exactly one lands and the other is told.
    let result = sqlx::query(
        r#"
        update roles set name = $1, name_canonical = $2, description = $3, require_two_factor = $4,
            admin_permissions = $5, server_permissions = $6, version = version + 1, updated_at = $7
        where id = $8 and version = $9
        "#,
    )
    .bind(&role.name)
    .bind(role.name.to_lowercase())
    .bind(&role.description)
    .bind(i64::from(role.require_two_factor))
    .bind(keys_json(&role.admin))
    .bind(keys_json(&role.server))
    .bind(state.now())
    .bind(id)
    .bind(version)
    .execute(state.db.pool())
    .await
    .map_err(|error| match error.as_database_error() {
        Some(db) if db.is_unique_violation() => name_taken(),
        _ => AppError::from(error),
    })?;
    if result.rows_affected() == 0 {
        return Err(AppError::Conflict {
            message: t("Someone else saved this role meanwhile. Reload it to see their changes.")
                .into(),
        });
    }
    let details = json!({
        "before": { "admin_permissions": current.admin_permissions, "server_permissions": current.server_permissions, "require_two_factor": current.require_two_factor },
        "after": { "admin_permissions": role.admin, "server_permissions": role.server, "require_two_factor": role.require_two_factor },
    });
    record_role(request, caller, Event::RoleUpdated, id, details).await;
    get(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, role_id = id))]
pub async fn duplicate(request: &Request, caller: &Caller, id: i64) -> Result<Role, AppError> {
    let state = &request.state;
    let source = get(state, id).await?;
    check_grantable(
        caller,
        &source.admin_permissions,
        &source.server_permissions,
    )?;
    // Leave room for the suffix within the 64-character limit.
    let base: String = source.name.chars().take(50).collect();
    let mut copy = ValidRole {
        name: tf("{name} (copy)", &[("name", &base)]),
        description: source.description.clone(),
        require_two_factor: source.require_two_factor,
        admin: source.admin_permissions.iter().copied().collect(),
        server: source.server_permissions.iter().copied().collect(),
    };
    let mut attempt = 1;
    let new_id = loop {
        match insert(state, &copy).await {
            Ok(new_id) => break new_id,
            Err(AppError::Validation { .. }) if attempt < 20 => {
                attempt += 1;
                copy.name = tf(
                    "{name} (copy {number})",
                    &[("name", &base), ("number", &attempt)],
                );
            }
            Err(other) => return Err(other),
        }
    };
    record_role(
        request,
        caller,
        Event::RoleDuplicated,
        new_id,
        json!({ "from": id }),
    )
    .await;
    get(state, new_id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, role_id = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<i64, AppError> {
    let state = &request.state;
    let role = get(state, id).await?;
    // Like editing: only a role the caller could have made.
    check_grantable(caller, &role.admin_permissions, &role.server_permissions)?;
    let mut tx = state.db.begin_write().await?;
    let holders = sqlx::query("update users set role_id = null where role_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
    sqlx::query("delete from roles where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    record_role(
        request,
        caller,
        Event::RoleDeleted,
        id,
        json!({ "name": role.name, "holders": holders }),
    )
    .await;
    Ok(holders)
}

/// Gives `user_id` the role `role_id` (or none). Used by user administration.
pub async fn assign(state: &AppState, user_id: i64, role_id: Option<i64>) -> Result<(), AppError> {
    sqlx::query("update users set role_id = $1, updated_at = $2 where id = $3")
        .bind(role_id)
        .bind(state.now())
        .bind(user_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}
