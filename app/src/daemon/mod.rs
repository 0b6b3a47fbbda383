//! Daemon tokens: short-lived signed tokens that let a node's daemon admit a user to one
//! server's console or files.
//!
//! The panel decides; the daemon only checks. A token carries exactly the caller's effective
//! server permissions at the moment it is issued, a purpose, a unique id and a ten-minute
//! expiry, signed with HMAC-SHA-256 (RFC 2104) under the node's secret. Removing a sub-user
//! puts the ids of the tokens they still hold on the node's revocation list, which the node
//! reads with its secret.

#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How long a daemon token lives.
pub const TOKEN_LIFETIME_SECS: i64 = 600;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Console,
    Files,
}

impl Purpose {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "console" => Some(Self::Console),
            "files" => Some(Self::Files),
            _ => None,
        }
    }

    /// The permission group a caller needs at least one key of.
    pub fn group(self) -> &'static str {
        match self {
            Self::Console => "control",
            Self::Files => "files",
        }
    }
}

/// A token as handed to the browser, which passes it to the daemon at `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonToken {
    pub token: String,
    pub expires_at: i64,
    /// The daemon's base address.
    pub url: String,
}

/// Issues a console or files token for a server. Needs at least one `control.*` key (console)
/// or `files.*` key (files) on it.
#[server(prefix = "/api", endpoint = "servers/daemon-token")]
pub async fn request_daemon_token(id: i64, purpose: String) -> Result<DaemonToken, AppError> {
    let (request, caller, scope) = crate::context::request::on_server(id, None).await?;
    let purpose = Purpose::parse(&purpose).ok_or_else(|| {
        AppError::field(
            "purpose",
            crate::i18n::t("Ask for a console or a files token."),
        )
    })?;
    server::issue(&request, &caller, &scope, purpose).await
}

/// The ids of revoked tokens that have not yet expired, for the node whose id and secret come
/// in the `Authorization: Bearer <node id>.<secret>` header. Sessions play no part.
#[server(prefix = "/api", endpoint = "daemon/revoked-tokens", input = server_fn::codec::GetUrl)]
pub async fn revoked_tokens() -> Result<Vec<String>, AppError> {
    let request = crate::context::request::public().await?;
    let node_id = server::authenticate_node(&request).await?;
    server::revoked(&request.state, node_id).await
}
