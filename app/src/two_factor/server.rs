//! Two-factor services: enrolment, the sign-in checkpoint, recovery codes, and turning it off.

use super::totp;
use super::{Enrolment, TwoFactorStatus};
use crate::activity::server::{record, Actor, Entry};
use crate::activity::Event;
use crate::auth::server::sessions::{self, hash_token, new_token, read_cookie};
use crate::auth::server::{count_failure, SignedIn};
use crate::context::request::{Caller, Origin, Request};
use crate::context::{AppState, Settings};
use crate::error::AppError;
use crate::mail::templates;
use crate::users::Password;
use http::HeaderMap;
use rand::Rng;
use sqlx::{Any, Row, Transaction};

/// A checkpoint lives this long...
pub const CHECKPOINT_SECS: i64 = 5 * 60;
/// ...and dies at this many wrong codes.
pub const CHECKPOINT_MAX_FAILURES: i64 = 5;
/// Recovery codes per set.
pub const RECOVERY_CODES: usize = 10;
/// An enrolment not confirmed within this time starts over.
const ENROLMENT_SECS: i64 = 15 * 60;

pub fn checkpoint_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-gatehouse_checkpoint"
    } else {
        "gatehouse_checkpoint"
    }
}

pub fn checkpoint_cookie(settings: &Settings, token: &str) -> String {
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={CHECKPOINT_SECS}{secure}",
        checkpoint_cookie_name(settings)
    )
}

pub fn clear_checkpoint_cookie(settings: &Settings) -> String {
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        checkpoint_cookie_name(settings)
    )
}

pub fn checkpoint_from_headers(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    read_cookie(headers, checkpoint_cookie_name(settings))
}

/// Opens a checkpoint for a user whose password was right, inside the caller's transaction;
/// returns its token.
pub async fn insert_checkpoint(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        r#"
        insert into checkpoints (token_hash, user_id, created_at, expires_at)
        values ($1, $2, $3, $4)
        "#,
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + CHECKPOINT_SECS)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Accepts a TOTP code for `user_id` when its step is newer than the last accepted one. The
/// check and the update are one statement, so two simultaneous submissions of the same code
/// cannot both pass.
async fn accept_totp(
    state: &AppState,
    user_id: i64,
    secret: &str,
    code: &str,
) -> Result<bool, AppError> {
    let Some(step) = totp::matching_step(secret, code, state.now()) else {
        return Ok(false);
    };
    let result =
        sqlx::query("update users set totp_last_step = $1 where id = $2 and totp_last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(state.db.pool())
            .await?;
    Ok(result.rows_affected() == 1)
}

fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Spends a recovery code: marks it used in one statement, so it works exactly once.
async fn accept_recovery_code(
    state: &AppState,
    user_id: i64,
    code: &str,
) -> Result<bool, AppError> {
    let normalised = normalise_recovery_code(code);
    if normalised.len() != 16 {
        return Ok(false);
    }
    let result = sqlx::query(
        r#"
        update recovery_codes set used_at = $1
        where user_id = $2 and code_hash = $3 and used_at is null
        "#,
    )
    .bind(state.now())
    .bind(user_id)
    .bind(hash_token(&normalised))
    .execute(state.db.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Ten fresh codes of 80 random bits each, shown as `xxxx-xxxx-xxxx-xxxx`.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..16)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!(
                "{}-{}-{}-{}",
                &raw[0..4],
                &raw[4..8],
                &raw[8..12],
                &raw[12..16]
            )
        })
        .collect()
}

/// Replaces the user's recovery codes inside `tx`; returns the new codes in plain text.
async fn replace_recovery_codes(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    sqlx::query("delete from recovery_codes where user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let codes = new_recovery_codes();
    for code in &codes {
        sqlx::query("insert into recovery_codes (user_id, code_hash) values ($1, $2)")
            .bind(user_id)
            .bind(hash_token(&normalise_recovery_code(code)))
            .execute(&mut **tx)
            .await?;
    }
    Ok(codes)
}

/// The second step of sign-in. Returns the new session on success; a wrong code counts against
/// the checkpoint (five kill it) and against the account's lockout.
#[tracing::instrument(skip_all)]
pub async fn verify_checkpoint(
    state: &AppState,
    token: &str,
    code: &str,
    origin: &Origin,
) -> Result<SignedIn, AppError> {
    let now = state.now();
    let row = sqlx::query(
        r#"
        select c.id, c.user_id, u.username, u.totp_secret
        from checkpoints c
        join users u on u.id = c.user_id
        where c.token_hash = $1 and c.expires_at > $2 and c.failures < $3
        "#,
    )
    .bind(hash_token(token))
    .bind(now)
    .bind(CHECKPOINT_MAX_FAILURES)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::Unauthorized)?;
    let checkpoint_id: i64 = row.try_get("id")?;
    let user_id: i64 = row.try_get("user_id")?;
    let username: String = row.try_get("username")?;
    let secret: Option<String> = row.try_get("totp_secret")?;

    let code = code.trim();
    let (accepted, factor) = match &secret {
        Some(secret) if code.len() == 6 => {
            (accept_totp(state, user_id, secret, code).await?, "totp")
        }
        Some(_) => (
            accept_recovery_code(state, user_id, code).await?,
            "recovery_code",
        ),
        // Two-factor was turned off meanwhile: the checkpoint no longer leads anywhere.
        None => (false, "none"),
    };

    if !accepted {
        let failures: i64 = sqlx::query(
            "update checkpoints set failures = failures + 1 where id = $1 returning failures",
        )
        .bind(checkpoint_id)
        .fetch_one(state.db.pool())
        .await?
        .try_get("failures")?;
        count_failure(state, user_id, now).await?;
        let entry = Entry::new(Event::TwoFactorFailed)
            .subject("user", user_id)
            .details(serde_json::json!({ "failures": failures }));
        record(&state.db, now, origin, entry).await;
        if failures >= CHECKPOINT_MAX_FAILURES {
            delete_checkpoint(state, checkpoint_id).await?;
            return Err(AppError::Unauthorized);
        }
        return Err(AppError::field(
            "code",
            crate::i18n::t("That code is not valid. Try the newest code."),
        ));
    }

    delete_checkpoint(state, checkpoint_id).await?;
    crate::auth::server::clear_failures(state, user_id).await?;
    let session = sessions::create(state, user_id, origin).await?;
    if factor == "recovery_code" {
        let entry = Entry::new(Event::RecoveryCodeUsed)
            .actor(user_id, &username)
            .subject("user", user_id);
        record(&state.db, now, origin, entry).await;
    }
    let entry = Entry::new(Event::SignInSucceeded)
        .actor(user_id, &username)
        .subject("user", user_id)
        .details(serde_json::json!({ "second_factor": factor }));
    record(&state.db, now, origin, entry).await;
    Ok(SignedIn {
        token: session,
        user_id,
    })
}

async fn delete_checkpoint(state: &AppState, id: i64) -> Result<(), AppError> {
    sqlx::query("delete from checkpoints where id = $1")
        .bind(id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

pub async fn status(state: &AppState, caller: &Caller) -> Result<TwoFactorStatus, AppError> {
    let row = sqlx::query(
        r#"
        select case when u.totp_secret is null then 0 else 1 end as enabled,
               (select count(*) from recovery_codes r
                where r.user_id = u.id and r.used_at is null) as codes_left
        from users u where u.id = $1
        "#,
    )
    .bind(caller.user.id)
    .fetch_one(state.db.pool())
    .await?;
    Ok(TwoFactorStatus {
        enabled: row.try_get::<i64, _>("enabled")? == 1,
        recovery_codes_left: row.try_get("codes_left")?,
    })
}

/// Draws a new secret for the caller to scan. Nothing changes until they confirm a code.
pub async fn start_enrolment(state: &AppState, caller: &Caller) -> Result<Enrolment, AppError> {
    if status(state, caller).await?.enabled {
        return Err(AppError::Conflict {
            message: crate::i18n::t("Two-factor authentication is already on.").into(),
        });
    }
    let secret = totp::new_secret();
    sqlx::query("update users set totp_pending_secret = $1, totp_pending_since = $2 where id = $3")
        .bind(&secret)
        .bind(state.now())
        .bind(caller.user.id)
        .execute(state.db.pool())
        .await?;
    let uri = totp::otpauth_uri(&secret, &caller.user.username).ok_or(AppError::Internal)?;
    let qr_svg = totp::qr_svg(&uri).ok_or(AppError::Internal)?;
    Ok(Enrolment {
        secret,
        otpauth_uri: uri,
        qr_svg,
    })
}

/// Ends every session of the user except `keep`.
async fn revoke_others(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    keep: i64,
) -> Result<(), AppError> {
    sqlx::query("delete from sessions where user_id = $1 and id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Turns two-factor on once the caller proves they hold the new secret and know their password.
/// The confirming code's step is remembered, so it cannot be replayed at the next sign-in.
#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn confirm_enrolment(
    request: &Request,
    caller: &Caller,
    password: &Password,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let state = &request.state;
    let now = state.now();
    crate::auth::server::require_password(request, caller, password, "password").await?;
    let row = sqlx::query(
        "select totp_secret, totp_pending_secret, totp_pending_since from users where id = $1",
    )
    .bind(caller.user.id)
    .fetch_one(state.db.pool())
    .await?;
    if row.try_get::<Option<String>, _>("totp_secret")?.is_some() {
        return Err(AppError::Conflict {
            message: crate::i18n::t("Two-factor authentication is already on.").into(),
        });
    }
    let pending: Option<String> = row.try_get("totp_pending_secret")?;
    let since: i64 = row.try_get("totp_pending_since")?;
    let Some(secret) = pending.filter(|_| since > now - ENROLMENT_SECS) else {
        return Err(AppError::Conflict {
            message: crate::i18n::t("The set-up expired. Start again.").into(),
        });
    };
    let Some(step) = totp::matching_step(&secret, code.trim(), now) else {
        return Err(AppError::field(
            "code",
            crate::i18n::t("That code is not valid. Try the newest code."),
        ));
    };

    let mut tx = state.db.begin_write().await?;
    let enabled = sqlx::query(
        r#"
        update users set totp_secret = totp_pending_secret, totp_pending_secret = null,
            totp_last_step = $1
        where id = $2 and totp_secret is null and totp_pending_secret = $3
        "#,
    )
    .bind(step)
    .bind(caller.user.id)
    .bind(&secret)
    .execute(&mut *tx)
    .await?;
    if enabled.rows_affected() != 1 {
        return Err(AppError::Conflict {
            message: crate::i18n::t("The set-up changed meanwhile. Start again.").into(),
        });
    }
    let codes = replace_recovery_codes(&mut tx, caller.user.id).await?;
    revoke_others(&mut tx, caller.user.id, caller.session_id).await?;
    tx.commit().await?;

    notify(state, caller, templates::two_factor_enabled);
    record_own(request, caller, Event::TwoFactorEnabled).await;
    Ok(codes)
}

/// Checks the password and a current TOTP code (not a recovery code) of a user with 2FA on.
async fn check_password_and_code(
    request: &Request,
    caller: &Caller,
    password: &Password,
    code: &str,
) -> Result<(), AppError> {
    let state = &request.state;
    crate::auth::server::require_password(request, caller, password, "password").await?;
    let secret: Option<String> = sqlx::query("select totp_secret from users where id = $1")
        .bind(caller.user.id)
        .fetch_one(state.db.pool())
        .await?
        .try_get("totp_secret")?;
    let Some(secret) = secret else {
        return Err(AppError::Conflict {
            message: crate::i18n::t("Two-factor authentication is off.").into(),
        });
    };
    if accept_totp(state, caller.user.id, &secret, code.trim()).await? {
        Ok(())
    } else {
        Err(AppError::field(
            "code",
            crate::i18n::t("That code is not valid. Try the newest code."),
        ))
    }
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn regenerate_codes(
    request: &Request,
    caller: &Caller,
    password: &Password,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let state = &request.state;
    check_password_and_code(request, caller, password, code).await?;
    let mut tx = state.db.begin_write().await?;
    let codes = replace_recovery_codes(&mut tx, caller.user.id).await?;
    revoke_others(&mut tx, caller.user.id, caller.session_id).await?;
    tx.commit().await?;
    notify(state, caller, templates::recovery_codes_regenerated);
    record_own(request, caller, Event::RecoveryCodesRegenerated).await;
    Ok(codes)
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn disable(
    request: &Request,
    caller: &Caller,
    password: &Password,
    code: &str,
) -> Result<(), AppError> {
    let state = &request.state;
    check_password_and_code(request, caller, password, code).await?;
    let mut tx = state.db.begin_write().await?;
    clear_two_factor(&mut tx, caller.user.id).await?;
    revoke_others(&mut tx, caller.user.id, caller.session_id).await?;
    tx.commit().await?;
    notify(state, caller, templates::two_factor_disabled);
    record_own(request, caller, Event::TwoFactorDisabled).await;
    Ok(())
}

async fn clear_two_factor(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<u64, AppError> {
    let result = sqlx::query(
        r#"
        update users set totp_secret = null, totp_pending_secret = null, totp_last_step = 0
        where id = $1 and totp_secret is not null
        "#,
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from recovery_codes where user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("delete from checkpoints where user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected())
}

/// Turns two-factor off for a user who lost their device (the command line; later the admin
/// area). Removes the secret and codes, ends every session, tells the user. Returns whether it
/// was on.
pub async fn force_disable(
    state: &AppState,
    user_id: i64,
    actor: Option<Actor>,
    origin: &Origin,
) -> Result<bool, AppError> {
    let mut tx = state.db.begin_write().await?;
    let was_on = clear_two_factor(&mut tx, user_id).await? == 1;
    if was_on {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if was_on {
        let row = sqlx::query("select email, first_name, language from users where id = $1")
            .bind(user_id)
            .fetch_one(state.db.pool())
            .await?;
        let email: String = row.try_get("email")?;
        let first_name: String = row.try_get("first_name")?;
        let language: String = row.try_get("language")?;
        state.mailer.send_later(templates::two_factor_disabled(
            &email,
            &first_name,
            &state.settings.public_base(),
            crate::mail::language(&language),
        ));
        let mut entry = Entry::new(Event::TwoFactorDisabledByAdmin).subject("user", user_id);
        entry.actor = actor;
        record(&state.db, state.now(), origin, entry).await;
    }
    Ok(was_on)
}

fn notify(
    state: &AppState,
    caller: &Caller,
    template: fn(&str, &str, &str, crate::i18n::Locale) -> crate::mail::OutgoingMail,
) {
    state.mailer.send_later(template(
        &caller.user.email,
        &caller.user.first_name,
        &state.settings.public_base(),
        crate::mail::language(&caller.user.language),
    ));
}

async fn record_own(request: &Request, caller: &Caller, event: Event) {
    request
        .record(Entry::new(event).by(caller).subject("user", caller.user.id))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_80_bit_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        for code in &codes {
            assert_eq!(normalise_recovery_code(code).len(), 16, "{code}");
        }
        assert_eq!(
            normalise_recovery_code(" ABCD-efgh ijkl-MNOP "),
            "abcdefghijklmnop"
        );
    }
}
