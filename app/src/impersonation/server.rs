//! Starting and stopping impersonation.

use super::LIFETIME_SECS;
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::auth::server::sessions::{hash_token, new_token};
use crate::context::request::{Caller, Request};
use crate::error::AppError;
use crate::i18n::t;
use serde_json::json;

fn refused(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
    }
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, target = target_id))]
pub async fn start(request: &Request, caller: &Caller, target_id: i64) -> Result<String, AppError> {
    let state = &request.state;
    if caller.impersonator.is_some() {
        return Err(refused(t("Stop the current impersonation first.")));
    }
    if target_id == caller.user.id {
        return Err(refused(t("You cannot impersonate yourself.")));
    }
    let target = crate::user_admin::server::get(state, target_id).await?;
    // Only a root admin acts as a root admin, and nobody acts as someone broader than
    // themselves: the same rule that guards editing a user.
    crate::user_admin::server::check_target(state, caller, &target).await?;
    if target.locked {
        return Err(refused(t(
            "This account is locked after failed sign-ins. Unlock it first.",
        )));
    }

    // A new token, so whatever held the old one (a copied cookie) holds nothing now.
    let token = new_token();
    let now = state.now();
    let changed = sqlx::query(
        r#"
        update sessions set token_hash = $1, impersonating_user_id = $2,
            impersonation_expires_at = $3
        where id = $4 and impersonating_user_id is null
        "#,
    )
    .bind(hash_token(&token))
    .bind(target_id)
    .bind(now + LIFETIME_SECS)
    .bind(caller.session_id)
    .execute(state.db.pool())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(refused(t("Stop the current impersonation first.")));
    }
    let entry = Entry::new(Event::ImpersonationStarted)
        .by(caller)
        .subject("user", target_id)
        .details(json!({ "username": target.username }));
    request.record(entry).await;
    Ok(token)
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn stop(request: &Request, caller: &Caller) -> Result<String, AppError> {
    let state = &request.state;
    let Some(admin) = &caller.impersonator else {
        return Err(refused(t("You are not impersonating anyone.")));
    };
    let token = new_token();
    sqlx::query(
        r#"
        update sessions set token_hash = $1, impersonating_user_id = null,
            impersonation_expires_at = null
        where id = $2
        "#,
    )
    .bind(hash_token(&token))
    .bind(caller.session_id)
    .execute(state.db.pool())
    .await?;
    // Recorded as the admin's own act, about the user they were.
    let entry = Entry::new(Event::ImpersonationStopped)
        .actor(admin.id, &admin.username)
        .subject("user", caller.user.id)
        .details(json!({ "username": caller.user.username }));
    request.record(entry).await;
    Ok(token)
}
