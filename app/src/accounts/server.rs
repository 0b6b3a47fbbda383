//! The services behind the account pages. Each takes the resolved caller; none trusts an id
//! from the browser without checking that it belongs to that caller.

use super::display::describe_user_agent;
use super::{ActivityPage, SessionInfo};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::auth::server::require_password;
use crate::auth::server::sessions;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::mail::templates;
use crate::users::validation::{check_new_password, EmailAddress, FieldErrors, PersonName};
use crate::users::{Password, SessionUser, LANGUAGES};
use serde_json::json;
use sqlx::Row;

/// Records an event the caller did to their own account.
async fn record_own(request: &Request, caller: &Caller, event: Event, details: serde_json::Value) {
    request
        .record(
            Entry::new(event)
                .by(caller)
                .subject("user", caller.user.id)
                .details(details),
        )
        .await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn update_profile(
    request: &Request,
    caller: &Caller,
    first_name: &str,
    last_name: &str,
    language: &str,
) -> Result<SessionUser, AppError> {
    let state = &request.state;
    let mut errors = FieldErrors::default();
    let first = errors.check("first_name", PersonName::parse(first_name));
    let last = errors.check("last_name", PersonName::parse(last_name));
    let known_language = LANGUAGES.iter().any(|(code, _)| *code == language);
    errors.check(
        "language",
        if known_language {
            Ok(())
        } else {
            Err(crate::i18n::t("Choose one of the listed languages.").to_owned())
        },
    );
    errors.finish()?;
    let (Some(first), Some(last)) = (first, last) else {
        return Err(AppError::Internal);
    };

    sqlx::query(
        r#"
        update users set first_name = $1, last_name = $2, language = $3, updated_at = $4
        where id = $5
        "#,
    )
    .bind(first.as_str())
    .bind(last.as_str())
    .bind(language)
    .bind(state.now())
    .bind(caller.user.id)
    .execute(state.db.pool())
    .await?;

    let before = &caller.user;
    let changed: Vec<&str> = [
        ("first_name", before.first_name != first.as_str()),
        ("last_name", before.last_name != last.as_str()),
        ("language", before.language != language),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect();
    let details = json!({ "changed": changed });
    record_own(request, caller, Event::ProfileUpdated, details).await;
    Ok(SessionUser {
        first_name: first.as_str().to_owned(),
        last_name: last.as_str().to_owned(),
        language: language.to_owned(),
        ..caller.user.clone()
    })
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn change_email(
    request: &Request,
    caller: &Caller,
    current_password: &Password,
    new_email: &str,
) -> Result<String, AppError> {
    let state = &request.state;
    let email = EmailAddress::parse(new_email).map_err(|m| AppError::field("email", m))?;
    require_password(request, caller, current_password, "current_password").await?;

    let taken = sqlx::query("select id from users where email_canonical = $1 and id <> $2")
        .bind(email.canonical())
        .bind(caller.user.id)
        .fetch_optional(state.db.pool())
        .await?;
    if taken.is_some() {
        return Err(AppError::field(
            "email",
            crate::i18n::t("This email address is already in use."),
        ));
    }
    sqlx::query("update users set email = $1, email_canonical = $2, updated_at = $3 where id = $4")
        .bind(email.as_str())
        .bind(email.canonical())
        .bind(state.now())
        .bind(caller.user.id)
        .execute(state.db.pool())
        .await
        .map_err(|error| match error.as_database_error() {
            Some(db) if db.is_unique_violation() => AppError::field(
                "email",
                crate::i18n::t("This email address is already in use."),
            ),
            _ => AppError::from(error),
        })?;

    // The notice goes to the old address: that is where the owner will notice a takeover.
    state.mailer.send_later(templates::email_changed(
        &caller.user.email,
        &caller.user.first_name,
        email.as_str(),
        &state.settings.public_base(),
        crate::mail::language(&caller.user.language),
    ));
    let details = json!({ "from": caller.user.email, "to": email.as_str() });
    record_own(request, caller, Event::EmailChanged, details).await;
    Ok(email.as_str().to_owned())
}

/// Returns the token of the new session that replaces the caller's.
#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn change_password(
    request: &Request,
    caller: &Caller,
    current_password: &Password,
    new_password: &Password,
) -> Result<String, AppError> {
    let state = &request.state;
    require_password(request, caller, current_password, "current_password").await?;
    check_new_password(
        new_password.expose(),
        Some(&caller.user.username),
        Some(&caller.user.email),
    )
    .map_err(|m| AppError::field("new_password", m))?;
    let hash = state.hasher.hash(new_password.expose()).await?;

    // One transaction: the new hash, every session of the user gone. The caller continues in
    // a fresh session created right after.
    let mut tx = state.db.begin_write().await?;
    sqlx::query("update users set password_hash = $1, updated_at = $2 where id = $3")
        .bind(&hash)
        .bind(state.now())
        .bind(caller.user.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from sessions where user_id = $1")
        .bind(caller.user.id)
        .execute(&mut *tx)
        .await?;
    // Outstanding password links die with the old password.
    sqlx::query("update password_tokens set used_at = $1 where user_id = $2 and used_at is null")
        .bind(state.now())
        .bind(caller.user.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let token = sessions::create(state, caller.user.id, &request.origin).await?;

    state.mailer.send_later(templates::password_changed(
        &caller.user.email,
        &caller.user.first_name,
        &state.settings.public_base(),
        crate::mail::language(&caller.user.language),
    ));
    record_own(
        request,
        caller,
        Event::PasswordChanged,
        serde_json::Value::Null,
    )
    .await;
    Ok(token)
}

pub async fn list_sessions(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<SessionInfo>, AppError> {
    let now = state.now();
    let rows = sqlx::query(
        r#"
        select id, ip, user_agent, created_at, last_seen_at
        from sessions
        where user_id = $1 and expires_at > $2 and last_seen_at > $3
        order by last_seen_at desc, id desc
        "#,
    )
    .bind(caller.user.id)
    .bind(now)
    .bind(now - state.settings.session_idle_secs)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let user_agent: Option<String> = row.try_get("user_agent")?;
            Ok(SessionInfo {
                id,
                device: describe_user_agent(user_agent.as_deref()),
                ip: row.try_get("ip")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                current: id == caller.session_id,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Ends a session of the caller's. Another user's session id is "not found", never revoked.
pub async fn revoke_session(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let state = &request.state;
    let result = sqlx::query("delete from sessions where id = $1 and user_id = $2")
        .bind(id)
        .bind(caller.user.id)
        .execute(state.db.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let details = json!({ "current": id == caller.session_id });
    record_own(request, caller, Event::SessionRevoked, details).await;
    Ok(())
}

pub async fn revoke_other_sessions(request: &Request, caller: &Caller) -> Result<u64, AppError> {
    let state = &request.state;
    let result = sqlx::query("delete from sessions where user_id = $1 and id <> $2")
        .bind(caller.user.id)
        .bind(caller.session_id)
        .execute(state.db.pool())
        .await?;
    let count = result.rows_affected();
    let details = json!({ "sessions": count });
    record_own(request, caller, Event::OtherSessionsRevoked, details).await;
    Ok(count)
}

/// Events the caller did, and events about the caller's account.
pub async fn my_activity(
    state: &AppState,
    caller: &Caller,
    before: Option<i64>,
) -> Result<ActivityPage, AppError> {
    crate::activity::server::account_page(state, caller.user.id, before).await
}
