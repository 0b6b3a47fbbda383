//! Sign-in and sign-out.

pub mod sessions;

use crate::activity::server::{record, Entry};
use crate::activity::Event;
use crate::context::request::Origin;
use crate::context::AppState;
use crate::error::AppError;
use crate::users::Password;
use sqlx::Row;

/// A successful sign-in: the new session's token and who it belongs to.
pub struct SignedIn {
    pub token: String,
    pub user_id: i64,
}

/// Checks a username-or-email and password and opens a session.
///
/// Every failure (unknown account, no password set, wrong password) gives the same
/// [`AppError::InvalidCredentials`] after exactly one run of the hasher: an unknown account is
/// checked against a dummy hash, so neither the answer nor the time taken tells an attacker
/// which accounts exist.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    identifier: &str,
    password: &Password,
    origin: &Origin,
) -> Result<SignedIn, AppError> {
    let lookup = identifier.trim().to_lowercase();
    let account = if lookup.is_empty() || lookup.len() > 254 || lookup.contains('\0') {
        None
    } else {
        sqlx::query(
            r#"
            select id, username, password_hash
            from users
            where username_canonical = $1 or email_canonical = $1
            "#,
        )
        .bind(&lookup)
        .fetch_optional(state.db.pool())
        .await?
    };
    let (user_id, username, stored_hash) = match &account {
        Some(row) => (
            Some(row.try_get::<i64, _>("id")?),
            Some(row.try_get::<String, _>("username")?),
            row.try_get::<Option<String>, _>("password_hash")?,
        ),
        None => (None, None, None),
    };

    let verified = state
        .hasher
        .verify(password.expose(), stored_hash.as_deref())
        .await?;

    let (Some(user_id), Some(username), true) = (user_id, username, verified.matches) else {
        let mut entry = Entry::new(Event::SignInFailed);
        if let Some(id) = user_id {
            entry = entry.subject("user", id);
        }
        record(&state.db, state.now(), origin, entry).await;
        return Err(AppError::InvalidCredentials);
    };

    if verified.needs_rehash {
        upgrade_hash(state, user_id, password).await;
    }
    let token = sessions::create(state, user_id, origin).await?;
    let entry = Entry::new(Event::SignInSucceeded)
        .actor(user_id, &username)
        .subject("user", user_id);
    record(&state.db, state.now(), origin, entry).await;
    Ok(SignedIn { token, user_id })
}

/// Re-hashes a password stored with weaker parameters. A failure is logged and ignored: the
/// old hash still works and the upgrade is retried at the next sign-in.
async fn upgrade_hash(state: &AppState, user_id: i64, password: &Password) {
    let result = async {
        let hash = state.hasher.hash(password.expose()).await?;
        sqlx::query("update users set password_hash = $1 where id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(state.db.pool())
            .await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(?error, user_id, "could not upgrade a password hash");
    }
}
