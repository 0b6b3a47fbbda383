//! User administration services and the guards that keep delegated admins from escalating.

use super::{NewUserInput, UserPage, UserRow, UserUpdate};
use crate::activity::server::{Actor, Entry};
use crate::activity::Event;
use crate::auth::server::{clear_failures, LOCKOUT_THRESHOLD, LOCKOUT_WINDOW_SECS};
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::i18n::t;
use crate::mail::templates;
use crate::permissions::AdminPermission;
use crate::roles::server::check_grantable;
use crate::users::server::NewUserForm;
use crate::users::validation::{EmailAddress, FieldErrors, PersonName};
use crate::users::{RoleRef, LANGUAGES};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Rows per page of the user list.
const PAGE: i64 = 50;

const USER_COLUMNS: &str = r#"
    u.id, u.username, u.username_canonical, u.email, u.first_name, u.last_name, u.language,
    u.is_admin, u.created_at, u.failed_sign_ins, u.failed_sign_ins_since,
    case when u.totp_secret is null then 0 else 1 end as two_factor,
    r.id as role_id, r.name as role_name
"#;

fn row_to_user(row: &AnyRow, now: i64) -> Result<UserRow, AppError> {
    let role_id: Option<i64> = row.try_get("role_id")?;
    let role = match role_id {
        Some(id) => Some(RoleRef {
            id,
            name: row.try_get("role_name")?,
        }),
        None => None,
    };
    Ok(UserRow {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        language: row.try_get("language")?,
        role,
        is_admin: row.try_get::<i64, _>("is_admin")? == 1,
        two_factor: row.try_get::<i64, _>("two_factor")? == 1,
        locked: row.try_get::<i64, _>("failed_sign_ins")? >= LOCKOUT_THRESHOLD
            && row.try_get::<i64, _>("failed_sign_ins_since")? > now - LOCKOUT_WINDOW_SECS,
        created_at: row.try_get("created_at")?,
    })
}

/// Users whose username starts with `query`, or, when the query contains `@`, whose email
/// does; in that column's order, 50 at a time after `after`. Each search is one range scan of
/// one unique index with a limit, so a page costs the same at a hundred users or a hundred
/// thousand (an OR across both columns would make the planner walk the whole table for a
/// query that matches nothing).
pub async fn search(
    state: &AppState,
    query: &str,
    after: Option<&str>,
) -> Result<UserPage, AppError> {
    let query: String = query
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    let column = if query.contains('@') {
        "email_canonical"
    } else {
        "username_canonical"
    };
    let after = after.unwrap_or("");
    // Every string that starts with `query` sorts between `query` and `query` + U+10FFFF.
    let upper = format!("{query}\u{10FFFF}");
    let rows = sqlx::query(&format!(
        r#"
        select {USER_COLUMNS}, u.{column} as sort_key
        from users u
        left join roles r on r.id = u.role_id
        where u.{column} > $1 and u.{column} >= $2 and u.{column} < $3
        order by u.{column}
        limit $4
        "#
    ))
    .bind(after)
    .bind(&query)
    .bind(&upper)
    .bind(PAGE + 1)
    .fetch_all(state.db.pool())
    .await?;
    let now = state.now();
    let mut users = Vec::with_capacity(rows.len());
    let mut last_key = None;
    for row in rows.iter().take(PAGE as usize) {
        users.push(row_to_user(row, now)?);
        last_key = Some(row.try_get::<String, _>("sort_key")?);
    }
    let next_after = if rows.len() as i64 > PAGE {
        last_key
    } else {
        None
    };
    Ok(UserPage {
        rows: users,
        next_after,
    })
}

pub async fn get(state: &AppState, id: i64) -> Result<UserRow, AppError> {
    let row = sqlx::query(&format!(
        "select {USER_COLUMNS} from users u left join roles r on r.id = u.role_id where u.id = $1"
    ))
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    row_to_user(&row, state.now())
}

fn forbidden(missing: Option<AdminPermission>) -> AppError {
    AppError::Forbidden {
        missing: missing.map(|key| key.key().to_owned()),
    }
}

/// Who may act on whom. Nobody administers their own account here (the account pages, which
/// ask for the current password, are the way). Only a root admin acts on a root admin, in any
/// way. Anyone else acts only on users whose role they could have granted: every key of the
/// target's role must be the caller's too, so no delegated admin can take over (by email
/// change and reset, say) an account that holds more than they do.
pub(crate) async fn check_target(
    state: &AppState,
    caller: &Caller,
    target: &UserRow,
) -> Result<(), AppError> {
    if target.id == caller.user.id {
        return Err(AppError::Conflict {
            message: t("Use your account pages to change your own account.").into(),
        });
    }
    if caller.user.is_admin {
        return Ok(());
    }
    if target.is_admin {
        return Err(forbidden(None));
    }
    if let Some(role) = &target.role {
        let role = crate::roles::server::get(state, role.id).await?;
        check_grantable(caller, &role.admin_permissions, &role.server_permissions)?;
    }
    Ok(())
}

/// Re-reads the target's admin flag and role under a row lock inside the write transaction:
/// if either changed since the checks above ran (a promotion racing this request), nothing is
/// written.
async fn confirm_target_unchanged(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    target: &UserRow,
) -> Result<(), AppError> {
    let row = sqlx::query(&format!(
        "select is_admin, role_id from users where id = $1{}",
        state.db.row_lock()
    ))
    .bind(target.id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let is_admin = row.try_get::<i64, _>("is_admin")? == 1;
    let role_id: Option<i64> = row.try_get("role_id")?;
    if is_admin != target.is_admin || role_id != target.role.as_ref().map(|r| r.id) {
        return Err(AppError::Conflict {
            message: t("This user was changed meanwhile. Reload and try again.").into(),
        });
    }
    Ok(())
}

/// Giving a role needs `roles.assign`, and a role no broader than the giver's own.
async fn check_role_assignable(
    state: &AppState,
    caller: &Caller,
    role_id: Option<i64>,
) -> Result<(), AppError> {
    // Any change of role, removing one included, is an assignment.
    if !caller.user.is_admin && !caller.user.can(AdminPermission::RolesAssign) {
        return Err(forbidden(Some(AdminPermission::RolesAssign)));
    }
    let Some(role_id) = role_id else {
        return Ok(());
    };
    let role = match crate::roles::server::get(state, role_id).await {
        Err(AppError::NotFound) => {
            return Err(AppError::field("role_id", t("This role does not exist.")));
        }
        other => other?,
    };
    check_grantable(caller, &role.admin_permissions, &role.server_permissions)
}

fn check_language(language: &str) -> Result<(), String> {
    if LANGUAGES.iter().any(|(code, _)| *code == language) {
        Ok(())
    } else {
        Err(t("Choose one of the listed languages.").into())
    }
}

async fn record_admin(
    request: &Request,
    caller: &Caller,
    event: Event,
    user_id: i64,
    details: serde_json::Value,
) {
    request
        .record(
            Entry::new(event)
                .by(caller)
                .subject("user", user_id)
                .details(details),
        )
        .await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: NewUserInput,
) -> Result<UserRow, AppError> {
    let state = &request.state;
    if input.is_admin && !caller.user.is_admin {
        return Err(forbidden(None));
    }
    if input.role_id.is_some() {
        check_role_assignable(state, caller, input.role_id).await?;
    }
    let mut errors = FieldErrors::default();
    errors.check("language", check_language(&input.language));
    errors.finish()?;
    let form = NewUserForm {
        username: input.username,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        password: input.password.clone(),
        is_admin: input.is_admin,
    };
    let id = crate::users::server::create(state, &form).await?;
    sqlx::query("update users set language = $1, role_id = $2 where id = $3")
        .bind(&input.language)
        .bind(input.role_id)
        .bind(id)
        .execute(state.db.pool())
        .await?;
    if input.password.is_none() {
        mail_password_link(state, id).await?;
    }
    let details = json!({ "is_admin": input.is_admin, "role_id": input.role_id, "set_password_link": input.password.is_none() });
    record_admin(request, caller, Event::UserCreated, id, details).await;
    get(state, id).await
}

/// Mails the user a one-time link to (re)set their password.
async fn mail_password_link(state: &AppState, user_id: i64) -> Result<(), AppError> {
    let user = get(state, user_id).await?;
    let ttl = crate::password_links::server::OPERATOR_LINK_SECS;
    let token = crate::password_links::server::issue(state, user_id, ttl).await?;
    let link = format!(
        "{}/password/set?token={token}",
        state.settings.public_base()
    );
    state.mailer.send_later(templates::password_reset(
        &user.email,
        &user.first_name,
        &link,
        ttl / 60,
        &state.settings.public_base(),
        crate::mail::language(&user.language),
    ));
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, target = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: UserUpdate,
) -> Result<UserRow, AppError> {
    let state = &request.state;
    let target = get(state, id).await?;
    check_target(state, caller, &target).await?;
    if input.is_admin != target.is_admin && !caller.user.is_admin {
        return Err(forbidden(None));
    }
    let current_role = target.role.as_ref().map(|r| r.id);
    if input.role_id != current_role {
        check_role_assignable(state, caller, input.role_id).await?;
    }

    let mut errors = FieldErrors::default();
    let email = errors.check("email", EmailAddress::parse(&input.email));
    let first = errors.check("first_name", PersonName::parse(&input.first_name));
    let last = errors.check("last_name", PersonName::parse(&input.last_name));
    errors.check("language", check_language(&input.language));
    errors.finish()?;
    let (Some(email), Some(first), Some(last)) = (email, first, last) else {
        return Err(AppError::Internal);
    };

    let mut tx = state.db.begin_write().await?;
    confirm_target_unchanged(state, &mut tx, &target).await?;
    // The last root admin stays one: checked inside the write transaction.
    if target.is_admin && !input.is_admin && count_roots(state, &mut tx).await? <= 1 {
        return Err(AppError::Conflict {
            message: t("This is the last root admin; make someone else root admin first.").into(),
        });
    }
    let taken = sqlx::query("select id from users where email_canonical = $1 and id <> $2")
        .bind(email.canonical())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::field(
            "email",
            t("This email address is already in use."),
        ));
    }
    sqlx::query(
        r#"
        update users set email = $1, email_canonical = $2, first_name = $3, last_name = $4,
            language = $5, role_id = $6, is_admin = $7, updated_at = $8
        where id = $9
        "#,
    )
    .bind(email.as_str())
    .bind(email.canonical())
    .bind(first.as_str())
    .bind(last.as_str())
    .bind(&input.language)
    .bind(input.role_id)
    .bind(i64::from(input.is_admin))
    .bind(state.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // A changed address is where resets go from now on: tell the old one, as the account page
    // does.
    if !target.email.eq_ignore_ascii_case(email.as_str()) {
        state.mailer.send_later(templates::email_changed(
            &target.email,
            &target.first_name,
            email.as_str(),
            &state.settings.public_base(),
            crate::mail::language(&input.language),
        ));
    }
    let details = json!({
        "before": { "role_id": current_role, "is_admin": target.is_admin, "email": target.email },
        "after": { "role_id": input.role_id, "is_admin": input.is_admin, "email": email.as_str() },
    });
    record_admin(request, caller, Event::UserUpdated, id, details).await;
    get(state, id).await
}

/// Root admins, counted with their rows locked until the transaction ends, so two demotions
/// at once cannot both see "one other root is left".
async fn count_roots(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<usize, AppError> {
    let rows = sqlx::query(&format!(
        "select id from users where is_admin = 1{}",
        state.db.row_lock()
    ))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.len())
}

pub async fn send_reset(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let target = get(&request.state, id).await?;
    check_target(&request.state, caller, &target).await?;
    mail_password_link(&request.state, id).await?;
    record_admin(
        request,
        caller,
        Event::PasswordResetSent,
        id,
        serde_json::Value::Null,
    )
    .await;
    Ok(())
}

pub async fn disable_two_factor(
    request: &Request,
    caller: &Caller,
    id: i64,
) -> Result<bool, AppError> {
    let target = get(&request.state, id).await?;
    check_target(&request.state, caller, &target).await?;
    let actor = Some(Actor {
        id: caller.user.id,
        name: caller.user.username.clone(),
    });
    crate::two_factor::server::force_disable(&request.state, id, actor, &request.origin).await
}

pub async fn unlock(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let target = get(&request.state, id).await?;
    check_target(&request.state, caller, &target).await?;
    clear_failures(&request.state, id).await?;
    record_admin(
        request,
        caller,
        Event::UserUnlocked,
        id,
        serde_json::Value::Null,
    )
    .await;
    Ok(())
}

/// Deletes a user: sessions, two-factor data and links go with the row (in one transaction);
/// activity rows stay, naming the user by the name they had.
#[tracing::instrument(skip_all, fields(user_id = caller.user.id, target = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let state = &request.state;
    if id == caller.user.id {
        return Err(AppError::Conflict {
            message: t("You cannot delete your own account.").into(),
        });
    }
    let target = get(state, id).await?;
    check_target(state, caller, &target).await?;
    let mut tx = state.db.begin_write().await?;
    confirm_target_unchanged(state, &mut tx, &target).await?;
    let owned: i64 = sqlx::query("select count(*) as n from servers where owner_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if owned > 0 {
        return Err(crate::fields::in_use("user", owned, ("server", "servers")));
    }
    if target.is_admin && count_roots(state, &mut tx).await? <= 1 {
        return Err(AppError::Conflict {
            message: t("The last root admin cannot be deleted.").into(),
        });
    }
    for table in [
        "sessions",
        "checkpoints",
        "recovery_codes",
        "password_tokens",
        "subusers",
    ] {
        sqlx::query(&format!("delete from {table} where user_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("delete from users where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    record_admin(
        request,
        caller,
        Event::UserDeleted,
        id,
        json!({ "username": target.username }),
    )
    .await;
    Ok(())
}
