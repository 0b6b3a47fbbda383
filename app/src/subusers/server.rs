//! Sub-user services.

use super::{username_from_email, Subuser, MAX_PER_SERVER};
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::mail::templates;
use crate::permissions::{first_missing, ServerPermission};
use crate::servers::server::{record, ServerScope};
use crate::users::server::NewUserForm;
use crate::users::validation::EmailAddress;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeSet;

fn from_row(row: &AnyRow) -> Result<Subuser, AppError> {
    Ok(Subuser {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        permissions: crate::auth::server::sessions::stored_keys(
            row.try_get("permissions")?,
            ServerPermission::from_key,
        )
        .into_iter()
        .collect(),
        created_at: row.try_get("created_at")?,
    })
}

const SELECT: &str = r#"
    select su.id, su.user_id, u.username, u.email, su.permissions, su.created_at
    from subusers su join users u on u.id = su.user_id
"#;

pub async fn list(state: &AppState, server_id: i64) -> Result<Vec<Subuser>, AppError> {
    let rows = sqlx::query(&format!(
        "{SELECT} where su.server_id = $1 order by u.username_canonical"
    ))
    .bind(server_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// One sub-user of this server: a sub-user id from another server is "not found".
async fn get(state: &AppState, server_id: i64, id: i64) -> Result<Subuser, AppError> {
    let row = sqlx::query(&format!("{SELECT} where su.id = $1 and su.server_id = $2"))
        .bind(id)
        .bind(server_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&row)
}

/// Parses and de-duplicates requested keys; at least one is needed.
fn parse(keys: &[String]) -> Result<BTreeSet<ServerPermission>, AppError> {
    let mut out = BTreeSet::new();
    for key in keys {
        let permission = ServerPermission::from_key(key).ok_or_else(|| {
            let shown: String = key.chars().take(64).collect();
            AppError::field(
                "permissions",
                tf("Unknown permission `{key}`.", &[("key", &shown)]),
            )
        })?;
        out.insert(permission);
    }
    if out.is_empty() {
        return Err(AppError::field(
            "permissions",
            t("Choose at least one permission."),
        ));
    }
    Ok(out)
}

/// Nobody grants what they lack: every key must be the caller's own on this server. The owner
/// and root admins hold every key, so this never stops them.
fn check_grantable<'a>(
    scope: &ServerScope,
    keys: impl IntoIterator<Item = &'a ServerPermission>,
) -> Result<(), AppError> {
    match first_missing(&scope.access.permissions, keys) {
        Some(key) => Err(AppError::Forbidden {
            missing: Some(key.key().to_owned()),
        }),
        None => Ok(()),
    }
}

fn keys_json(keys: &BTreeSet<ServerPermission>) -> String {
    let keys: Vec<&str> = keys.iter().map(|k| k.key()).collect();
    serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())
}

fn full() -> AppError {
    AppError::Conflict {
        message: tf(
            "A server can have at most {count} sub-users.",
            &[("count", &crate::i18n::format::number(MAX_PER_SERVER))],
        ),
    }
}

async fn count(state: &AppState, server_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query("select count(*) as n from subusers where server_id = $1")
            .bind(server_id)
            .fetch_one(state.db.pool())
            .await?
            .try_get("n")?,
    )
}

fn not_yourself() -> AppError {
    AppError::Forbidden { missing: None }
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    email: &str,
    keys: &[String],
) -> Result<Subuser, AppError> {
    let state = &request.state;
    let keys = parse(keys)?;
    check_grantable(scope, &keys)?;
    let email = EmailAddress::parse(email).map_err(|message| AppError::field("email", message))?;

    // Checked again under the write lock below; checking first as well means a full server
    // never creates an account for nothing.
    if count(state, scope.id).await? >= MAX_PER_SERVER {
        return Err(full());
    }

    let existing = sqlx::query("select id, first_name from users where email_canonical = $1")
        .bind(email.canonical())
        .fetch_optional(state.db.pool())
        .await?;
    let (user_id, created) = match existing {
        Some(row) => (row.try_get::<i64, _>("id")?, false),
        None => (create_account(state, &email).await?, true),
    };
    if user_id == scope.owner_id {
        return Err(AppError::field(
            "email",
            t("The owner already has every permission."),
        ));
    }
    if user_id == caller.user.id {
        return Err(not_yourself());
    }

    // The count, the duplicate check and the insert share one write transaction, so two
    // invitations at once cannot pass the limit.
    let mut tx = state.db.begin_write().await?;
    let count: i64 = sqlx::query("select count(*) as n from subusers where server_id = $1")
        .bind(scope.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if count >= MAX_PER_SERVER {
        return Err(full());
    }
    let now = state.now();
    let row = sqlx::query(
        r#"
        insert into subusers (server_id, user_id, permissions, created_at, updated_at)
        values ($1, $2, $3, $4, $4) returning id
        "#,
    )
    .bind(scope.id)
    .bind(user_id)
    .bind(keys_json(&keys))
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|error| match error.as_database_error() {
        Some(db) if db.is_unique_violation() => AppError::field(
            "email",
            t("This person is a sub-user of this server already."),
        ),
        _ => AppError::from(error),
    })?;
    tx.commit().await?;
    let id: i64 = row.try_get("id")?;
    let subuser = get(state, scope.id, id).await?;

    let server_link = format!("{}/servers/{}", state.settings.public_base(), scope.id);
    let mail = if created {
        let ttl = crate::password_links::server::OPERATOR_LINK_SECS;
        let token = crate::password_links::server::issue(state, user_id, ttl).await?;
        let link = format!(
            "{}/password/set?token={token}",
            state.settings.public_base()
        );
        templates::invited_to_server(
            subuser.email.as_str(),
            &scope.name,
            &caller.user.username,
            &link,
            ttl / 60,
            &state.settings.public_base(),
            crate::i18n::current(),
        )
    } else {
        templates::added_to_server(
            subuser.email.as_str(),
            &scope.name,
            &caller.user.username,
            &server_link,
            &state.settings.public_base(),
            crate::mail::language_of(state, user_id).await?,
        )
    };
    state.mailer.send_later(mail);

    let details = json!({ "user_id": user_id, "username": subuser.username, "permissions": subuser.permissions, "new_account": created });
    record(request, caller, Event::SubuserCreated, scope.id, details).await;
    Ok(subuser)
}

/// Creates an account for an invited address: a username derived from it (the first free one),
/// placeholder names, and no password until the person sets one through the mailed link.
async fn create_account(state: &AppState, email: &EmailAddress) -> Result<i64, AppError> {
    let local = email.as_str().split('@').next().unwrap_or_default();
    let first_name: String = local
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    for attempt in 0..50u32 {
        let suffix = if attempt == 0 { 0 } else { attempt + 1 };
        let username = username_from_email(email.as_str(), suffix);
        let form = NewUserForm {
            username,
            email: email.as_str().to_owned(),
            first_name: if first_name.trim().is_empty() {
                "New".into()
            } else {
                first_name.clone()
            },
            last_name: "User".into(),
            password: None,
            is_admin: false,
        };
        match crate::users::server::create(state, &form).await {
            Ok(id) => return Ok(id),
            Err(AppError::Validation { fields })
                if fields.iter().all(|f| f.field == "username") =>
            {
                continue
            }
            Err(AppError::Validation { fields }) if fields.iter().any(|f| f.field == "email") => {
                // The address was taken meanwhile (or is not acceptable for an account).
                let message = fields
                    .into_iter()
                    .find(|f| f.field == "email")
                    .map(|f| f.message)
                    .unwrap_or_default();
                return Err(AppError::field("email", message));
            }
            Err(other) => return Err(other),
        }
    }
    Err(AppError::field(
        "email",
        t("No free username could be made from this address."),
    ))
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    id: i64,
    keys: &[String],
) -> Result<Subuser, AppError> {
    let state = &request.state;
    let current = get(state, scope.id, id).await?;
    if current.user_id == caller.user.id {
        return Err(not_yourself());
    }
    let keys = parse(keys)?;
    // The caller must hold every key the sub-user has now and will have, so nobody strips or
    // extends a grant broader than their own.
    check_grantable(scope, keys.iter().chain(&current.permissions))?;
    sqlx::query("update subusers set permissions = $1, updated_at = $2 where id = $3")
        .bind(keys_json(&keys))
        .bind(state.now())
        .bind(id)
        .execute(state.db.pool())
        .await?;
    let details = json!({ "user_id": current.user_id, "username": current.username, "before": current.permissions, "after": keys });
    record(request, caller, Event::SubuserUpdated, scope.id, details).await;
    get(state, scope.id, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn delete(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    id: i64,
) -> Result<(), AppError> {
    let state = &request.state;
    let current = get(state, scope.id, id).await?;
    if current.user_id == caller.user.id {
        return Err(not_yourself());
    }
    check_grantable(scope, &current.permissions)?;
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("delete from subusers where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // Tokens already handed out stay valid until they expire unless the node learns they are
    // revoked: mark every live one of this user on this server.
    let revoked = sqlx::query(
        r#"
        update daemon_tokens set revoked_at = $1
        where server_id = $2 and user_id = $3 and revoked_at is null and expires_at > $1
        "#,
    )
    .bind(now)
    .bind(scope.id)
    .bind(current.user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    let details = json!({ "user_id": current.user_id, "username": current.username, "revoked_tokens": revoked });
    record(request, caller, Event::SubuserDeleted, scope.id, details).await;
    Ok(())
}
