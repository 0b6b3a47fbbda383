//! Sign-in and sign-out.

pub mod sessions;

use crate::activity::server::{record, Entry};
use crate::activity::Event;
use crate::context::request::Origin;
use crate::context::AppState;
use crate::error::AppError;
use crate::users::Password;
use sqlx::Row;

/// Failed attempts that lock an account...
pub const LOCKOUT_THRESHOLD: i64 = 10;
/// ...when they fall within this many seconds of the first one; the lock ends with the window.
pub const LOCKOUT_WINDOW_SECS: i64 = 15 * 60;

/// A successful sign-in: the new session's token and who it belongs to.
pub struct SignedIn {
    pub token: String,
    pub user_id: i64,
}

/// Where a correct password leads.
pub enum PasswordAccepted {
    /// Straight in.
    Session(SignedIn),
    /// To the two-factor checkpoint; the token goes into the checkpoint cookie.
    Checkpoint { token: String, user_id: i64 },
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
) -> Result<PasswordAccepted, AppError> {
    let lookup = identifier.trim().to_lowercase();
    let account = if lookup.is_empty() || lookup.len() > 254 || lookup.contains('\0') {
        None
    } else {
        sqlx::query(
            r#"
            select id, username, password_hash, failed_sign_ins, failed_sign_ins_since,
                   case when totp_secret is null then 0 else 1 end as two_factor
            from users
            where username_canonical = $1 or email_canonical = $1
            "#,
        )
        .bind(&lookup)
        .fetch_optional(state.db.pool())
        .await?
    };
    let now = state.now();
    let (user_id, username, stored_hash, locked) = match &account {
        Some(row) => (
            Some(row.try_get::<i64, _>("id")?),
            Some(row.try_get::<String, _>("username")?),
            row.try_get::<Option<String>, _>("password_hash")?,
            row.try_get::<i64, _>("failed_sign_ins")? >= LOCKOUT_THRESHOLD
                && row.try_get::<i64, _>("failed_sign_ins_since")? > now - LOCKOUT_WINDOW_SECS,
        ),
        None => (None, None, None, false),
    };

    let verified = state
        .hasher
        .verify(password.expose(), stored_hash.as_deref())
        .await?;

    // A locked account fails like any other failure, even with the right password: the
    // answer must not tell a guesser that they found it.
    let (Some(user_id), Some(username), true, false) =
        (user_id, username, verified.matches, locked)
    else {
        let mut entry = Entry::new(Event::SignInFailed);
        if let Some(id) = user_id {
            entry = entry.subject("user", id);
            let failures = count_failure(state, id, now).await?;
            if failures == LOCKOUT_THRESHOLD {
                let lockout = Entry::new(Event::AccountLocked)
                    .subject("user", id)
                    .details(serde_json::json!({ "failures": failures }));
                record(&state.db, now, origin, lockout).await;
                tracing::warn!(
                    user_id = id,
                    "account locked after repeated failed sign-ins"
                );
            }
        }
        record(&state.db, now, origin, entry).await;
        return Err(AppError::InvalidCredentials);
    };

    if verified.needs_rehash {
        upgrade_hash(state, user_id, password).await;
    }

    // With two-factor on, a correct password only opens the checkpoint; the counter of failed
    // attempts is cleared when the second factor passes too.
    let two_factor = account
        .as_ref()
        .and_then(|row| row.try_get::<i64, _>("two_factor").ok())
        == Some(1);
    if two_factor {
        let token = crate::two_factor::server::open_checkpoint(state, user_id).await?;
        return Ok(PasswordAccepted::Checkpoint { token, user_id });
    }

    if account
        .as_ref()
        .and_then(|row| row.try_get::<i64, _>("failed_sign_ins").ok())
        .unwrap_or(0)
        != 0
    {
        clear_failures(state, user_id).await?;
    }

    let token = sessions::create(state, user_id, origin).await?;
    let entry = Entry::new(Event::SignInSucceeded)
        .actor(user_id, &username)
        .subject("user", user_id);
    record(&state.db, state.now(), origin, entry).await;
    Ok(PasswordAccepted::Session(SignedIn { token, user_id }))
}

/// Raises the account's failure counter in one statement, so parallel attempts each count
/// exactly once; a failure after the window has passed starts a new window. Returns the count.
pub(crate) async fn count_failure(
    state: &AppState,
    user_id: i64,
    now: i64,
) -> Result<i64, AppError> {
    let row = sqlx::query(
        r#"
        update users set
            failed_sign_ins = case when failed_sign_ins_since > $2 then failed_sign_ins + 1 else 1 end,
            failed_sign_ins_since = case when failed_sign_ins_since > $2 then failed_sign_ins_since else $3 end
        where id = $1
        returning failed_sign_ins
        "#,
    )
    .bind(user_id)
    .bind(now - LOCKOUT_WINDOW_SECS)
    .bind(now)
    .fetch_one(state.db.pool())
    .await?;
    Ok(row.try_get("failed_sign_ins")?)
}

/// Forgets earlier failures (after a correct sign-in, a password reset, or an admin unlock).
pub async fn clear_failures(state: &AppState, user_id: i64) -> Result<(), AppError> {
    sqlx::query("update users set failed_sign_ins = 0, failed_sign_ins_since = 0 where id = $1")
        .bind(user_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
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
