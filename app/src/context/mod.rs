//! Server-side state shared by every request, and how a server function learns who calls it.

pub mod client_ip;
pub mod clock;
pub mod db;
pub mod rate_limit;
pub mod request;
pub mod security;

use crate::auth::password::PasswordHasher;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::setup::server::SetupToken;
use clock::Clock;
use db::Db;
use rate_limit::{RateLimiter, RateLimits};
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;

/// Settings the services need, derived from the server's configuration at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address users reach the panel at; every link the panel sends starts with it.
    pub public_url: url::Url,
    /// A session unused for this long ends.
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_secs: i64,
    /// Per-address request allowances on credential paths.
    pub rate_limits: RateLimits,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Settings {
    pub fn new(public_url: url::Url) -> Self {
        Self {
            public_url,
            session_idle_secs: 12 * 60 * 60,
            session_absolute_secs: 14 * 24 * 60 * 60,
            rate_limits: RateLimits::default(),
            trusted_proxies: Vec::new(),
        }
    }

    /// Cookies are `Secure` (and take the `__Host-` prefix) when the panel is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The public URL without a trailing slash, for building links.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }
}

/// Everything a service needs, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub db: Db,
    pub settings: Settings,
    pub hasher: PasswordHasher,
    pub clock: Arc<dyn Clock>,
    pub setup_token: SetupToken,
    pub mailer: Mailer,
    pub rate_limiter: RateLimiter,
}

impl AppState {
    pub fn new(
        db: Db,
        settings: Settings,
        hasher: PasswordHasher,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
    ) -> Self {
        let rate_limiter = RateLimiter::new(settings.rate_limits);
        Self(Arc::new(StateInner {
            db,
            settings,
            hasher,
            clock,
            setup_token: SetupToken::default(),
            mailer,
            rate_limiter,
        }))
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl Deref for AppState {
    type Target = StateInner;

    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl From<sqlx::Error> for AppError {
    /// Storage failures never reach the browser as text: the cause goes to the log, the caller
    /// learns only whether retrying could help.
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => {
                tracing::error!(error = %error, "database unavailable");
                AppError::Unavailable
            }
            // PostgreSQL going away under an open connection: a connection exception (class 08)
            // or operator intervention (57P01 shutting down, 57P02 crash, 57P03 starting up).
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")) =>
            {
                tracing::error!(error = %error, "database unavailable");
                AppError::Unavailable
            }
            // A reference that a concurrent change removed (a node whose location was just
            // deleted): the caller's view is stale, not the server broken.
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                tracing::info!(error = %error, "a referenced row changed meanwhile");
                AppError::Conflict {
                    message: "Something this refers to changed meanwhile. Reload and try again."
                        .into(),
                }
            }
            // PostgreSQL refuses a NUL byte in text (SQLSTATE 22021). Input checks refuse it
            // with a field message first; this is the net under any lookup that lacks one, so
            // the caller's mistake never reads as a server fault.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                tracing::warn!(error = %error, "text the database cannot store reached a query");
                AppError::BadRequest
            }
            _ => {
                tracing::error!(error = %error, "database error");
                AppError::Internal
            }
        }
    }
}
