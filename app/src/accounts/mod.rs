//! A user's control over their own account: profile, email, password, sessions and activity.

pub mod display;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::users::{Password, SessionUser};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the caller's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: i64,
    pub device: String,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The session this request came from.
    pub current: bool,
}

/// One row of an activity log as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    pub created_at: i64,
    pub event: String,
    pub description: String,
    pub actor: Option<String>,
    pub impersonator: Option<String>,
    pub ip: Option<String>,
}

/// A page of activity, newest first, with the cursor for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub rows: Vec<ActivityRow>,
    /// Pass as `before` to get the next (older) page; `None` at the end.
    pub next_before: Option<i64>,
}

/// Changes the caller's names and language; answers with the updated account.
#[server(prefix = "/api", endpoint = "account/profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    language: String,
) -> Result<SessionUser, AppError> {
    let (request, caller) = crate::context::request::signed_in().await?;
    server::update_profile(&request, &caller, &first_name, &last_name, &language).await
}

/// Changes the caller's email address; needs the current password. The old address is told.
/// Answers with the address as stored.
#[server(prefix = "/api", endpoint = "account/email")]
pub async fn change_email(current_password: Password, email: String) -> Result<String, AppError> {
    use crate::context::rate_limit::Bucket;
    let (request, caller) = crate::context::request::account_owner().await?;
    request.limit(Bucket::Credential)?;
    server::change_email(&request, &caller, &current_password, &email).await
}

/// Changes the caller's password; needs the current one. Every other session ends and this
/// one continues under a new token.
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    current_password: Password,
    new_password: Password,
) -> Result<(), AppError> {
    use crate::auth::server::sessions;
    use crate::context::rate_limit::Bucket;
    use crate::context::request;

    let (request, caller) = request::account_owner().await?;
    request.limit(Bucket::Credential)?;
    let token =
        server::change_password(&request, &caller, &current_password, &new_password).await?;
    request::set_cookie(&sessions::session_cookie(&request.state.settings, &token))
}

/// The caller's active sessions.
#[server(prefix = "/api", endpoint = "account/sessions", input = server_fn::codec::GetUrl)]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let (request, caller) = crate::context::request::account_owner().await?;
    server::list_sessions(&request.state, &caller).await
}

/// Ends one of the caller's sessions.
#[server(prefix = "/api", endpoint = "account/sessions/revoke")]
pub async fn revoke_session(id: i64) -> Result<(), AppError> {
    let (request, caller) = crate::context::request::account_owner().await?;
    server::revoke_session(&request, &caller, id).await
}

/// Ends every session of the caller except this one.
#[server(prefix = "/api", endpoint = "account/sessions/revoke-others")]
pub async fn revoke_other_sessions() -> Result<u64, AppError> {
    let (request, caller) = crate::context::request::account_owner().await?;
    server::revoke_other_sessions(&request, &caller).await
}

/// The caller's own activity, newest first, 25 rows a page.
#[server(prefix = "/api", endpoint = "account/activity", input = server_fn::codec::GetUrl)]
pub async fn my_activity(before: Option<i64>) -> Result<ActivityPage, AppError> {
    let (request, caller) = crate::context::request::signed_in().await?;
    server::my_activity(&request.state, &caller, before).await
}
