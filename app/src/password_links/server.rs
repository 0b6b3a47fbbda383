//! One-time password links: a random token of 256 bits, stored as its SHA-256, valid once and
//! for a limited time, voided by a newer link for the same user.

use crate::activity::server::{record, Entry};
use crate::activity::Event;
use crate::auth::server::sessions::hash_token;
use crate::context::request::Origin;
use crate::context::AppState;
use crate::error::AppError;
use crate::mail::templates;
use crate::users::validation::check_new_password;
use crate::users::Password;
use rand::RngCore;
use sqlx::Row;

/// How long a link printed by the command line stays valid.
pub const OPERATOR_LINK_SECS: i64 = 24 * 60 * 60;
/// How long a link from the forgot-password mail stays valid.
pub const RESET_LINK_SECS: i64 = 20 * 60;
/// At most one reset mail per account in this many seconds, whoever asks.
const RESET_MAIL_INTERVAL_SECS: i64 = 60;

/// The link to the page where a token sets a password.
fn link(state: &AppState, token: &str) -> String {
    format!(
        "{}/password/set?token={token}",
        state.settings.public_base()
    )
}

/// Handles "forgot password": the caller always gets the same answer, at once. The look-up,
/// the token and the mail happen in the background, so neither the answer nor its timing says
/// whether the address has an account.
pub fn request_reset(state: &AppState, email: &str, origin: &Origin) {
    let state = state.clone();
    let origin = origin.clone();
    let canonical = crate::users::validation::EmailAddress::parse(email).map(|e| e.canonical());
    tokio::spawn(async move {
        let Ok(canonical) = canonical else {
            return;
        };
        if let Err(error) = send_reset(&state, &canonical, &origin).await {
            tracing::error!(?error, "could not prepare a password reset mail");
        }
    });
}

async fn send_reset(
    state: &AppState,
    canonical_email: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    let now = state.now();
    let Some(user) = sqlx::query(
        r#"
        select id, email, first_name, language,
               (select max(created_at) from password_tokens t where t.user_id = users.id) as last_token
        from users where email_canonical = $1
        "#,
    )
    .bind(canonical_email)
    .fetch_optional(state.db.pool())
    .await?
    else {
        return Ok(());
    };
    let user_id: i64 = user.try_get("id")?;
    let last_token: Option<i64> = user.try_get("last_token")?;
    if last_token.is_some_and(|at| at > now - RESET_MAIL_INTERVAL_SECS) {
        tracing::info!(user_id, "password reset asked again too soon; no new mail");
        return Ok(());
    }
    // The mail goes to the address as stored, never as the request spelled it.
    let email: String = user.try_get("email")?;
    let first_name: String = user.try_get("first_name")?;
    let token = issue(state, user_id, RESET_LINK_SECS).await?;
    state.mailer.send_later(templates::password_reset(
        &email,
        &first_name,
        &link(state, &token),
        RESET_LINK_SECS / 60,
        &state.settings.public_base(),
        crate::mail::language(&user.try_get::<String, _>("language")?),
    ));
    let entry = Entry::new(Event::PasswordResetRequested).subject("user", user_id);
    record(&state.db, now, origin, entry).await;
    Ok(())
}

/// Creates a link for `user_id`, voiding any earlier one, and returns it in full.
pub async fn issue_link(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let token = issue(state, user_id, OPERATOR_LINK_SECS).await?;
    Ok(format!(
        "{}/password/set?token={token}",
        state.settings.public_base()
    ))
}

/// Creates a token valid for `ttl_secs`; earlier unused tokens of the user stop working.
pub async fn issue(state: &AppState, user_id: i64, ttl_secs: i64) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("update password_tokens set used_at = $1 where user_id = $2 and used_at is null")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        r#"
        insert into password_tokens (user_id, token_hash, created_at, expires_at)
        values ($1, $2, $3, $4)
        "#,
    )
    .bind(user_id)
    .bind(hash_token(&token))
    .bind(now)
    .bind(now + ttl_secs)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Sets a new password through a link. The token is consumed in the same transaction that
/// changes the password and ends every session of the user, so a link works exactly once even
/// when submitted twice at the same moment. Nobody is signed in by this.
#[tracing::instrument(skip_all)]
pub async fn set_password(
    state: &AppState,
    token: &str,
    password: &Password,
    origin: &Origin,
) -> Result<(), AppError> {
    let now = state.now();
    let invalid = || {
        AppError::field(
            "token",
            crate::i18n::t("This link is invalid or has expired."),
        )
    };
    if token.len() != 64 {
        return Err(invalid());
    }
    let token_hash = hash_token(token);
    let owner = sqlx::query(
        r#"
        select u.id, u.username, u.email, u.first_name, u.language
        from password_tokens t
        join users u on u.id = t.user_id
        where t.token_hash = $1 and t.used_at is null and t.expires_at > $2
        "#,
    )
    .bind(&token_hash)
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or_else(invalid)?;
    let user_id: i64 = owner.try_get("id")?;
    let username: String = owner.try_get("username")?;
    let email: String = owner.try_get("email")?;
    let first_name: String = owner.try_get("first_name")?;
    let language: String = owner.try_get("language")?;

    check_new_password(password.expose(), Some(&username), Some(&email))
        .map_err(|message| AppError::field("password", message))?;
    let hash = state.hasher.hash(password.expose()).await?;

    let mut tx = state.db.begin_write().await?;
    let consumed = sqlx::query(
        r#"
        update password_tokens set used_at = $1
        where token_hash = $2 and used_at is null and expires_at > $1
        returning user_id
        "#,
    )
    .bind(now)
    .bind(&token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    if consumed.is_none() {
        return Err(invalid());
    }
    // A new password also lifts a lockout: the reset is how a locked-out owner gets back in.
    sqlx::query(
        r#"
        update users set password_hash = $1, updated_at = $2, failed_sign_ins = 0,
            failed_sign_ins_since = 0
        where id = $3
        "#,
    )
    .bind(&hash)
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("delete from sessions where user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    state.mailer.send_later(templates::password_reset_done(
        &email,
        &first_name,
        &state.settings.public_base(),
        crate::mail::language(&language),
    ));
    let entry = Entry::new(Event::PasswordSetByLink)
        .actor(user_id, &username)
        .subject("user", user_id);
    record(&state.db, now, origin, entry).await;
    Ok(())
}
