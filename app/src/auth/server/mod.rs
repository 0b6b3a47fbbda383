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
            select id, username, password_hash,
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
    let (user_id, username, stored_hash, two_factor) = match &account {
        Some(row) => (
            Some(row.try_get::<i64, _>("id")?),
            Some(row.try_get::<String, _>("username")?),
            row.try_get::<Option<String>, _>("password_hash")?,
            row.try_get::<i64, _>("two_factor")? == 1,
        ),
        None => (None, None, None, false),
    };

    // Every attempt on an account takes a numbered slot before any hashing, in one statement:
    // however many guesses arrive at once, only the first ten in a window are ever checked.
    let attempt = match user_id {
        Some(id) => count_failure(state, id, now).await?,
        None => 0,
    };
    let locked = attempt > LOCKOUT_THRESHOLD;

    let verified = state
        .hasher
        .verify(password.expose(), stored_hash.as_deref())
        .await?;

    // A locked account fails like any other failure, even with the right password: the
    // answer must not tell a guesser that they found it.
    let (Some(user_id), Some(username), Some(verified_hash), true, false) =
        (user_id, username, stored_hash, verified.matches, locked)
    else {
        return Err(fail(state, user_id, attempt, now, origin).await);
    };

    let verified_hash = if verified.needs_rehash {
        upgrade_hash(state, user_id, password, verified_hash).await
    } else {
        verified_hash
    };

    // The password was checked against the hash read above. Open the session or checkpoint
    // only if that hash is still the stored one, under the row lock a password change takes
    // too: a sign-in racing a password change never outlives it.
    let opened = open_if_unchanged(state, user_id, &verified_hash, two_factor, origin).await?;
    let Some(token) = opened else {
        return Err(fail(state, Some(user_id), attempt, now, origin).await);
    };
    if two_factor {
        return Ok(PasswordAccepted::Checkpoint { token, user_id });
    }
    let entry = Entry::new(Event::SignInSucceeded)
        .actor(user_id, &username)
        .subject("user", user_id);
    record(&state.db, state.now(), origin, entry).await;
    Ok(PasswordAccepted::Session(SignedIn { token, user_id }))
}

/// Checks the password of a signed-in user (before a password, email or two-factor change).
/// These checks share the sign-in counter: a stolen session cannot be used to guess the
/// password faster than the sign-in form allows, and a locked account answers "no".
pub async fn check_password_of(
    state: &AppState,
    user_id: i64,
    password: &Password,
    origin: &Origin,
) -> Result<bool, AppError> {
    let now = state.now();
    let attempt = count_failure(state, user_id, now).await?;
    let row = sqlx::query("select password_hash from users where id = $1")
        .bind(user_id)
        .fetch_one(state.db.pool())
        .await?;
    let stored: Option<String> = row.try_get("password_hash")?;
    let verified = state
        .hasher
        .verify(password.expose(), stored.as_deref())
        .await?;
    if verified.matches && attempt <= LOCKOUT_THRESHOLD {
        clear_failures(state, user_id).await?;
        return Ok(true);
    }
    let entry = Entry::new(Event::PasswordCheckFailed).subject("user", user_id);
    record(&state.db, now, origin, entry).await;
    if attempt == LOCKOUT_THRESHOLD {
        let lockout = Entry::new(Event::AccountLocked)
            .subject("user", user_id)
            .details(serde_json::json!({ "failures": attempt }));
        record(&state.db, now, origin, lockout).await;
    }
    Ok(false)
}

/// [`check_password_of`] for the caller, as a form answer: a wrong password is a message on
/// `field`.
pub async fn require_password(
    request: &crate::context::request::Request,
    caller: &crate::context::request::Caller,
    password: &Password,
    field: &str,
) -> Result<(), AppError> {
    if check_password_of(&request.state, caller.user.id, password, &request.origin).await? {
        Ok(())
    } else {
        Err(AppError::field(
            field,
            crate::i18n::t("The password is not correct."),
        ))
    }
}

/// Records a failed attempt (and the lockout it may cause) and returns the generic error.
async fn fail(
    state: &AppState,
    user_id: Option<i64>,
    attempt: i64,
    now: i64,
    origin: &Origin,
) -> AppError {
    let mut entry = Entry::new(Event::SignInFailed);
    if let Some(id) = user_id {
        entry = entry.subject("user", id);
        if attempt == LOCKOUT_THRESHOLD {
            let lockout = Entry::new(Event::AccountLocked)
                .subject("user", id)
                .details(serde_json::json!({ "failures": attempt }));
            record(&state.db, now, origin, lockout).await;
            tracing::warn!(
                user_id = id,
                "account locked after repeated failed sign-ins"
            );
        }
    }
    record(&state.db, now, origin, entry).await;
    AppError::InvalidCredentials
}

/// In one write transaction: confirm the password hash is still `verified_hash`, then open a
/// session (clearing the failure counter) or, with two-factor on, a checkpoint. `None` when the
/// password changed meanwhile.
async fn open_if_unchanged(
    state: &AppState,
    user_id: i64,
    verified_hash: &str,
    two_factor: bool,
    origin: &Origin,
) -> Result<Option<String>, AppError> {
    let mut tx = state.db.begin_write().await?;
    let current = sqlx::query(&format!(
        "select password_hash from users where id = $1{}",
        state.db.row_lock()
    ))
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let current: Option<String> = match current {
        Some(row) => row.try_get("password_hash")?,
        None => None,
    };
    if current.as_deref() != Some(verified_hash) {
        return Ok(None);
    }
    let token = if two_factor {
        crate::two_factor::server::insert_checkpoint(&mut tx, user_id, state.now()).await?
    } else {
        sqlx::query(
            "update users set failed_sign_ins = 0, failed_sign_ins_since = 0 where id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sessions::insert(&mut tx, state, user_id, origin).await?
    };
    tx.commit().await?;
    Ok(Some(token))
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

/// Re-hashes a password stored with weaker parameters, replacing only the hash that was
/// verified, and returns the hash now stored. A failure is logged and the old hash kept: it
/// still works, and the upgrade is retried at the next sign-in.
async fn upgrade_hash(
    state: &AppState,
    user_id: i64,
    password: &Password,
    verified_hash: String,
) -> String {
    let result = async {
        let hash = state.hasher.hash(password.expose()).await?;
        let updated =
            sqlx::query("update users set password_hash = $1 where id = $2 and password_hash = $3")
                .bind(&hash)
                .bind(user_id)
                .bind(&verified_hash)
                .execute(state.db.pool())
                .await?;
        Ok::<_, AppError>((updated.rows_affected() == 1).then_some(hash))
    }
    .await;
    match result {
        Ok(Some(hash)) => hash,
        Ok(None) => verified_hash,
        Err(error) => {
            tracing::warn!(?error, user_id, "could not upgrade a password hash");
            verified_hash
        }
    }
}
