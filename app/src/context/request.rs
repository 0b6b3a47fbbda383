//! The first step of every server function: who is calling, from where, and may they.
//!
//! Each server function starts with exactly one of [`public`], [`signed_in`] (the caller's own
//! account, open even to users the two-factor policy confines), [`account_owner`] (the same,
//! but closed during an impersonation: credentials and sessions), [`active`] (signed in and
//! not confined), [`admin`] (an admin permission), [`root`] (root admins) or [`on_server`] (a
//! server the caller can see, and a server permission on it); the authorisation matrix test
//! holds every function to the one it declares. The caller is resolved from the database on
//! every request: nothing about permissions lives in the session, except which user an
//! impersonating admin acts as, for at most an hour.

use super::client_ip::client_ip;
use super::rate_limit::Bucket;
use super::{AppState, Settings};
use crate::auth::server::sessions;
use crate::error::AppError;
use crate::permissions::{AdminPermission, RolePermissions, ServerPermission};
use crate::users::SessionUser;
use axum::extract::ConnectInfo;
use http::request::Parts;
use leptos::prelude::use_context;
use std::collections::BTreeSet;
use std::net::SocketAddr;

/// Where a request came from, for rate limits and the activity log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A request whose caller may be anyone.
pub struct Request {
    pub state: AppState,
    pub origin: Origin,
    /// The session token from the cookie, if one was sent.
    pub(crate) token: Option<String>,
}

/// The admin behind an impersonation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impersonator {
    pub id: i64,
    pub username: String,
}

/// A signed-in caller, resolved from fresh rows. While an admin impersonates, `user` is the
/// impersonated user and `impersonator` the admin.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: SessionUser,
    pub session_id: i64,
    pub impersonator: Option<Impersonator>,
    /// The role's permissions as stored, for the "grant only what you hold" guards.
    pub role_permissions: Option<RolePermissions>,
}

impl Caller {
    /// Refuses with 403, naming the key, unless the caller holds the admin permission.
    pub fn require(&self, permission: AdminPermission) -> Result<(), AppError> {
        if self.user.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                missing: Some(permission.key().to_owned()),
            })
        }
    }

    /// Server permissions the caller holds on every server through their role.
    pub fn role_server_permissions(&self) -> BTreeSet<ServerPermission> {
        if self.user.is_admin {
            return ServerPermission::ALL.iter().copied().collect();
        }
        self.role_permissions
            .as_ref()
            .map(|role| role.server.clone())
            .unwrap_or_default()
    }
}

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("application state missing from the request context");
        AppError::Internal
    })
}

/// Reads the origin of a request from its parts.
pub fn origin_of(parts: &Parts, settings: &Settings) -> Origin {
    let socket = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let ip = client_ip(socket, &parts.headers, &settings.trusted_proxies).map(|ip| ip.to_string());
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(512).collect());
    Origin { ip, user_agent }
}

/// Declares a function open to everyone (sign-in, setup, public information).
pub async fn public() -> Result<Request, AppError> {
    let state = state()?;
    let parts = use_context::<Parts>();
    let origin = parts
        .as_ref()
        .map(|p| origin_of(p, &state.settings))
        .unwrap_or_default();
    let token = parts
        .as_ref()
        .and_then(|p| sessions::token_from_headers(&p.headers, &state.settings));
    Ok(Request {
        state,
        origin,
        token,
    })
}

/// Declares a function for signed-in users managing their own account: anyone else gets 401.
/// Users whom the two-factor policy confines still pass, so they can enrol.
pub async fn signed_in() -> Result<(Request, Caller), AppError> {
    let request = public().await?;
    let caller = request.caller().await?.ok_or(AppError::Unauthorized)?;
    Ok((request, caller))
}

/// Declares a function on the caller's own credentials and sessions (password, email,
/// two-factor, sessions): signed in, and refused (403) while an admin impersonates.
pub async fn account_owner() -> Result<(Request, Caller), AppError> {
    let (request, caller) = signed_in().await?;
    if caller.impersonator.is_some() {
        return Err(AppError::Forbidden { missing: None });
    }
    Ok((request, caller))
}

/// Declares a function for signed-in users who are not confined by the two-factor policy.
pub async fn active() -> Result<(Request, Caller), AppError> {
    let (request, caller) = signed_in().await?;
    if caller.user.confined() {
        return Err(AppError::TwoFactorRequired);
    }
    Ok((request, caller))
}

/// Declares a function for root admins only (panel settings).
pub async fn root() -> Result<(Request, Caller), AppError> {
    let (request, caller) = active().await?;
    if !caller.user.is_admin {
        return Err(AppError::Forbidden { missing: None });
    }
    Ok((request, caller))
}

/// Declares a function for holders of an admin permission: 401 anonymous, 403 without it.
pub async fn admin(permission: AdminPermission) -> Result<(Request, Caller), AppError> {
    let (request, caller) = active().await?;
    if !caller.user.can(permission) {
        return Err(AppError::Forbidden {
            missing: Some(permission.key().to_owned()),
        });
    }
    Ok((request, caller))
}

/// Declares a function on one server: 401 signed out, 404 when the caller may not see the
/// server (or it does not exist), 403 without `permission` on it.
pub async fn on_server(
    id: i64,
    permission: Option<ServerPermission>,
) -> Result<(Request, Caller, crate::servers::server::ServerScope), AppError> {
    let (request, caller) = active().await?;
    let scope = crate::servers::server::scope(&request.state, &caller, id).await?;
    if let Some(permission) = permission {
        scope.require(permission)?;
    }
    Ok((request, caller, scope))
}

impl Request {
    /// Counts this request against its address's allowance for `bucket`.
    pub fn limit(&self, bucket: Bucket) -> Result<(), AppError> {
        self.state
            .rate_limiter
            .check(bucket, self.origin.ip.as_deref(), self.state.now())
    }

    /// Resolves the session cookie to a caller, if it names a live session.
    pub async fn caller(&self) -> Result<Option<Caller>, AppError> {
        match &self.token {
            Some(token) => {
                let caller = sessions::resolve(&self.state, token).await?;
                // The caller's own language for whatever this function says back. A page render
                // already has its language (chosen before it started) and is left untouched.
                if let Some(caller) = &caller {
                    if use_context::<crate::i18n::Locale>().is_none() {
                        if let Some(locale) = crate::i18n::Locale::from_code(&caller.user.language)
                        {
                            leptos::prelude::provide_context(locale);
                        }
                    }
                }
                Ok(caller)
            }
            None => Ok(None),
        }
    }
}

/// Adds a `Set-Cookie` header to the response of the current server function.
pub fn set_cookie(value: &str) -> Result<(), AppError> {
    let options = use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| {
        tracing::error!("response options missing from the request context");
        AppError::Internal
    })?;
    let value = http::HeaderValue::from_str(value).map_err(|error| {
        tracing::error!(%error, "a cookie value is not a valid header");
        AppError::Internal
    })?;
    options.append_header(http::header::SET_COOKIE, value);
    Ok(())
}
