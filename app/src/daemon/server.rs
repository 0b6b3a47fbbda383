//! Signing, verifying and revoking daemon tokens.
//!
//! A token is `<claims>.<signature>`: the claims as JSON in unpadded base64url, and the
//! HMAC-SHA-256 of the text `gatehouse-daemon-token.<claims>` under the node's secret, also in
//! base64url. The prefix keeps a signature made for any other use of the secret from passing
//! as a token.

use super::{DaemonToken, Purpose, TOKEN_LIFETIME_SECS};
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::permissions::ServerPermission;
use crate::servers::server::{record, ServerScope};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

const CONTEXT: &[u8] = b"gatehouse-daemon-token.";

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The token's unique id, for revocation.
    pub jti: String,
    /// The user the token admits.
    pub user_id: i64,
    pub server_id: i64,
    pub node_id: i64,
    pub purpose: Purpose,
    /// The user's effective server permissions when the token was issued.
    pub permissions: Vec<ServerPermission>,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Why a token did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Malformed,
    BadSignature,
    WrongNode,
    Expired,
}

/// The MAC over `payload`; `None` only if the key were refused, which HMAC never does.
fn mac(secret: &str, payload: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(CONTEXT);
    mac.update(payload.as_bytes());
    Some(mac)
}

/// Signs `claims` with `secret`.
pub fn sign(claims: &Claims, secret: &str) -> Result<String, AppError> {
    let json = serde_json::to_vec(claims).map_err(|error| {
        tracing::error!(%error, "could not encode token claims");
        AppError::Internal
    })?;
    let payload = URL_SAFE_NO_PAD.encode(json);
    let mac = mac(secret, &payload).ok_or_else(|| {
        tracing::error!("a node secret was refused as an HMAC key");
        AppError::Internal
    })?;
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{payload}.{signature}"))
}

/// Checks a token as a daemon would: signature under `secret` (in constant time), meant for
/// `node_id`, not expired at `now`.
pub fn verify(token: &str, secret: &str, node_id: i64, now: i64) -> Result<Claims, Rejected> {
    let (payload, signature) = token.split_once('.').ok_or(Rejected::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Rejected::Malformed)?;
    mac(secret, payload)
        .ok_or(Rejected::BadSignature)?
        .verify_slice(&signature)
        .map_err(|_| Rejected::BadSignature)?;
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Rejected::Malformed)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| Rejected::Malformed)?;
    if claims.node_id != node_id {
        return Err(Rejected::WrongNode);
    }
    if claims.expires_at <= now {
        return Err(Rejected::Expired);
    }
    Ok(claims)
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, server_id = scope.id))]
pub async fn issue(
    request: &Request,
    caller: &Caller,
    scope: &ServerScope,
    purpose: Purpose,
) -> Result<DaemonToken, AppError> {
    let state = &request.state;
    // No key of the purpose's group, no token.
    if !scope
        .access
        .permissions
        .iter()
        .any(|p| p.key().split('.').next() == Some(purpose.group()))
    {
        let needed = match purpose {
            Purpose::Console => ServerPermission::ControlReadConsole,
            Purpose::Files => ServerPermission::FilesRead,
        };
        return Err(AppError::Forbidden {
            missing: Some(needed.key().to_owned()),
        });
    }
    if scope.suspended && !caller.user.is_admin {
        return Err(AppError::Conflict {
            message: crate::i18n::t("This server is suspended.").into(),
        });
    }
    let node =
        sqlx::query("select scheme, fqdn, daemon_port, daemon_secret from nodes where id = $1")
            .bind(scope.node_id)
            .fetch_optional(state.db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let secret: String = node.try_get("daemon_secret")?;
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let now = state.now();
    let claims = Claims {
        jti: hex::encode(id),
        user_id: caller.user.id,
        server_id: scope.id,
        node_id: scope.node_id,
        purpose,
        permissions: scope.access.permissions.iter().copied().collect(),
        issued_at: now,
        expires_at: now + TOKEN_LIFETIME_SECS,
    };
    let token = sign(&claims, &secret)?;
    sqlx::query(
        r#"
        insert into daemon_tokens (id, server_id, node_id, user_id, purpose, issued_at, expires_at)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
    )
    .bind(&claims.jti)
    .bind(scope.id)
    .bind(scope.node_id)
    .bind(caller.user.id)
    .bind(purpose.group())
    .bind(now)
    .bind(claims.expires_at)
    .execute(state.db.pool())
    .await?;
    record(
        request,
        caller,
        Event::DaemonTokenIssued,
        scope.id,
        json!({ "purpose": purpose }),
    )
    .await;
    let url = format!(
        "{}://{}:{}",
        node.try_get::<String, _>("scheme")?,
        node.try_get::<String, _>("fqdn")?,
        node.try_get::<i64, _>("daemon_port")?
    );
    Ok(DaemonToken {
        token,
        expires_at: claims.expires_at,
        url,
    })
}

/// Compares two secrets without revealing where they differ: both are hashed first, so the
/// comparison runs over equal lengths whatever was sent.
fn same_secret(given: &str, stored: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(stored.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The node named by `Authorization: Bearer <node id>.<secret>`; anything else is 401.
pub async fn authenticate_node(request: &Request) -> Result<i64, AppError> {
    let header = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .ok_or(AppError::Unauthorized)?;
    let credentials = header
        .strip_prefix("Bearer ")
        .ok_or(AppError::Unauthorized)?;
    let (id, secret) = credentials.split_once('.').ok_or(AppError::Unauthorized)?;
    let id: i64 = id.parse().map_err(|_| AppError::Unauthorized)?;
    let stored = sqlx::query("select daemon_secret from nodes where id = $1")
        .bind(id)
        .fetch_optional(request.state.db.pool())
        .await?;
    // An unknown node still pays for a comparison, so timing does not tell which ids exist.
    let stored: String = match stored {
        Some(row) => row.try_get("daemon_secret")?,
        None => {
            same_secret(secret, "");
            return Err(AppError::Unauthorized);
        }
    };
    if same_secret(secret, &stored) {
        Ok(id)
    } else {
        Err(AppError::Unauthorized)
    }
}

pub async fn revoked(state: &AppState, node_id: i64) -> Result<Vec<String>, AppError> {
    let rows = sqlx::query(
        r#"
        select id from daemon_tokens
        where node_id = $1 and revoked_at is not null and expires_at > $2
        order by id
        "#,
    )
    .bind(node_id)
    .bind(state.now())
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String, _>("id")?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(node_id: i64, expires_at: i64) -> Claims {
        Claims {
            jti: "abc".into(),
            user_id: 7,
            server_id: 3,
            node_id,
            purpose: Purpose::Console,
            permissions: vec![ServerPermission::ControlConsole],
            issued_at: 0,
            expires_at,
        }
    }

    #[test]
    fn a_signed_token_verifies_with_its_secret_only() {
        let token = sign(&claims(1, 600), "secret-one").unwrap();
        assert_eq!(verify(&token, "secret-one", 1, 10).unwrap(), claims(1, 600));
        assert_eq!(
            verify(&token, "secret-two", 1, 10),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            verify(&token, "secret-one", 2, 10),
            Err(Rejected::WrongNode)
        );
        assert_eq!(verify(&token, "secret-one", 1, 600), Err(Rejected::Expired));
        assert_eq!(
            verify("nonsense", "secret-one", 1, 10),
            Err(Rejected::Malformed)
        );
    }

    #[test]
    fn a_changed_claim_breaks_the_signature() {
        let token = sign(&claims(1, 600), "secret").unwrap();
        let (_, signature) = token.split_once('.').unwrap();
        let mut forged = claims(1, 600);
        forged.permissions.push(ServerPermission::FilesDelete);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let forged = format!("{payload}.{signature}");
        assert_eq!(
            verify(&forged, "secret", 1, 10),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn secrets_compare_by_value() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", "abc"));
    }
}
