//! Database sessions: an opaque random token in an HttpOnly cookie, stored only as its SHA-256.
//!
//! A session ends when idle for `session_idle_secs` or `session_absolute_secs` after it began,
//! whichever comes first; both are checked on the server at every request.

use crate::context::request::{Caller, Impersonator, Origin};
use crate::context::{AppState, Settings};
use crate::error::AppError;
use crate::permissions::{
    admin_permissions, parse_keys, AdminPermission, Principal, RolePermissions, ServerPermission,
};
use crate::settings::TwoFactorPolicy;
use crate::users::{RoleRef, SessionUser};
use http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeSet;

/// How stale `last_seen_at` may get before a request refreshes it; saves a write per request.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// The cookie's name: with the `__Host-` prefix when served over HTTPS, which makes browsers
/// insist on `Secure`, `Path=/` and no `Domain`.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-gatehouse_session"
    } else {
        "gatehouse_session"
    }
}

/// The `Set-Cookie` value that hands `token` to the browser.
pub fn session_cookie(settings: &Settings, token: &str) -> String {
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(settings),
        settings.session_absolute_secs
    )
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(settings: &Settings) -> String {
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(settings)
    )
}

/// Finds our session cookie among the request's `Cookie` headers.
pub fn token_from_headers(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    read_cookie(headers, cookie_name(settings))
}

/// The value of the cookie called `name`, if present and of a plausible length.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 128)
}

/// 256 random bits, hex-encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database stores in place of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session for `user_id` and returns its token, the only copy that will ever exist.
pub async fn create(state: &AppState, user_id: i64, origin: &Origin) -> Result<String, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    insert(&mut conn, state, user_id, origin).await
}

/// Starts a session on the given connection (or inside a transaction).
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user_id: i64,
    origin: &Origin,
) -> Result<String, AppError> {
    let token = new_token();
    let now = state.now();
    sqlx::query(
        r#"
        insert into sessions
            (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
        values ($1, $2, $3, $3, $4, $5, $6)
        "#,
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + state.settings.session_absolute_secs)
    .bind(origin.ip.clone())
    .bind(origin.user_agent.clone())
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Resolves a token to its user, from fresh rows. Expired sessions resolve to nobody.
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<Caller>, AppError> {
    let now = state.now();
    let row = sqlx::query(
        r#"
        select s.id as session_id, s.last_seen_at, s.impersonating_user_id, a.username as admin_name,
               s.user_id as session_user_id,
               u.id, u.username, u.email, u.first_name, u.last_name, u.language, u.is_admin,
               case when u.totp_secret is null then 0 else 1 end as two_factor,
               r.id as role_id, r.name as role_name, r.admin_permissions, r.server_permissions,
               r.require_two_factor,
               (select value from settings where key = 'two_factor_policy') as policy
        from sessions s
        join users u on u.id = case when s.impersonation_expires_at > $2
                                    then s.impersonating_user_id else s.user_id end
        join users a on a.id = s.user_id
        left join roles r on r.id = u.role_id
        where s.token_hash = $1 and s.expires_at > $2 and s.last_seen_at > $3
        "#,
    )
    .bind(hash_token(token))
    .bind(now)
    .bind(now - state.settings.session_idle_secs)
    .fetch_optional(state.db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let session_id: i64 = row.try_get("session_id")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if now - last_seen >= TOUCH_INTERVAL_SECS {
        sqlx::query("update sessions set last_seen_at = $1 where id = $2")
            .bind(now)
            .bind(session_id)
            .execute(state.db.pool())
            .await?;
    }
    Ok(Some(caller_from_row(&row, session_id)?))
}

/// The language preference of the user a session acts as, if the session is live. A lean
/// read for choosing a page's language before it renders.
pub async fn language(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    let now = state.now();
    let language = sqlx::query_scalar(
        r#"
        select u.language
        from sessions s
        join users u on u.id = case when s.impersonation_expires_at > $2
                                    then s.impersonating_user_id else s.user_id end
        where s.token_hash = $1 and s.expires_at > $2 and s.last_seen_at > $3
        "#,
    )
    .bind(hash_token(token))
    .bind(now)
    .bind(now - state.settings.session_idle_secs)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(language)
}

/// Builds the caller from a row of the session query: the role's permissions are resolved
/// here, from this request's rows, and never cached.
fn caller_from_row(row: &AnyRow, session_id: i64) -> Result<Caller, AppError> {
    let is_admin = row.try_get::<i64, _>("is_admin")? == 1;
    let role_id: Option<i64> = row.try_get("role_id")?;
    let role = match role_id {
        Some(id) => Some((
            RoleRef {
                id,
                name: row.try_get("role_name")?,
            },
            RolePermissions {
                admin: stored_keys(row.try_get("admin_permissions")?, AdminPermission::from_key),
                server: stored_keys(
                    row.try_get("server_permissions")?,
                    ServerPermission::from_key,
                ),
            },
            row.try_get::<Option<i64>, _>("require_two_factor")? == Some(1),
        )),
        None => None,
    };
    let policy: Option<String> = row.try_get("policy")?;
    let policy = policy
        .as_deref()
        .and_then(TwoFactorPolicy::from_key)
        .unwrap_or_default();
    let role_permissions = role.as_ref().map(|(_, permissions, _)| permissions.clone());
    let admin_permissions = admin_permissions(Principal {
        is_admin,
        role: role_permissions.as_ref(),
    });
    let role_requires = role.as_ref().is_some_and(|(_, _, requires)| *requires);
    // An impersonation that has run out is simply not applied: the session is the admin's again.
    let impersonating: Option<i64> = row.try_get("impersonating_user_id")?;
    let session_user: i64 = row.try_get("session_user_id")?;
    let user_id: i64 = row.try_get("id")?;
    let impersonator = match impersonating {
        Some(target) if target == user_id && user_id != session_user => Some(Impersonator {
            id: session_user,
            username: row.try_get("admin_name")?,
        }),
        _ => None,
    };
    Ok(Caller {
        session_id,
        user: SessionUser {
            impersonated_by: impersonator.as_ref().map(|i| i.username.clone()),
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            email: row.try_get("email")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            language: row.try_get("language")?,
            is_admin,
            role: role.map(|(role, _, _)| role),
            two_factor_required: policy.requires(
                is_admin,
                !admin_permissions.is_empty(),
                role_requires,
            ),
            admin_permissions,
            two_factor_enabled: row.try_get::<i64, _>("two_factor")? == 1,
        },
        role_permissions,
        impersonator,
    })
}

/// Parses a stored JSON array of keys. Keys the catalogue no longer knows are ignored with a
/// warning, never granted.
pub fn stored_keys<T: Ord>(json: String, parse: impl Fn(&str) -> Option<T>) -> BTreeSet<T> {
    let keys: Vec<String> = serde_json::from_str(&json).unwrap_or_else(|error| {
        tracing::warn!(%error, "a stored permission list is not a JSON array");
        Vec::new()
    });
    let (known, unknown) = parse_keys(&keys, parse);
    if !unknown.is_empty() {
        tracing::warn!(
            ?unknown,
            "ignoring stored permission keys the catalogue does not know"
        );
    }
    known
}

/// Ends one session.
pub async fn revoke(state: &AppState, session_id: i64) -> Result<(), AppError> {
    sqlx::query("delete from sessions where id = $1")
        .bind(session_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// Ends the session a token names, if any (used when a new sign-in replaces it).
pub async fn revoke_token(state: &AppState, token: &str) -> Result<(), AppError> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(hash_token(token))
        .execute(state.db.pool())
        .await?;
    Ok(())
}
