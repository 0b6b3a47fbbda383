//! Impersonation: an admin sees the panel exactly as a user does, without their password and
//! without hiding who did what.
//!
//! It lives in the admin's own session: starting rotates the session token and marks the
//! session as acting for the target for at most [`LIFETIME_SECS`]; every event recorded
//! meanwhile names the target as actor and the admin as impersonator. Stopping (or the hour
//! running out, or the admin signing out) gives the session back to the admin.

#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use leptos::prelude::*;

/// How long an impersonation lasts at most.
pub const LIFETIME_SECS: i64 = 3600;

/// Starts acting as user `id`. Needs `users.impersonate`; refused for oneself, a root admin
/// (unless the caller is one), a user broader than the caller, a locked account, and while
/// already impersonating.
#[server(prefix = "/api", endpoint = "admin/users/impersonate")]
pub async fn start_impersonation(id: i64) -> Result<(), AppError> {
    use crate::context::request;
    use crate::permissions::AdminPermission;
    let (request, caller) = request::admin(AdminPermission::UsersImpersonate).await?;
    let token = server::start(&request, &caller, id).await?;
    request::set_cookie(&crate::auth::server::sessions::session_cookie(
        &request.state.settings,
        &token,
    ))
}

/// Stops the impersonation and gives the session back to the admin. Open to every signed-in
/// session (also when the two-factor policy confines the impersonated user); refused when
/// nobody is being impersonated.
#[server(prefix = "/api", endpoint = "auth/stop-impersonating")]
pub async fn stop_impersonation() -> Result<(), AppError> {
    use crate::context::request;
    let (request, caller) = request::signed_in().await?;
    let token = server::stop(&request, &caller).await?;
    request::set_cookie(&crate::auth::server::sessions::session_cookie(
        &request.state.settings,
        &token,
    ))
}
