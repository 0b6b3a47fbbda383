//! Signing in and out, and who the current user is.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::users::{Password, SessionUser};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a correct password leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginOutcome {
    /// The account has two-factor on: the sign-in continues at `/login/two-factor`.
    pub two_factor_required: bool,
}

/// The signed-in user, or `None` for an anonymous visitor.
#[server(prefix = "/api", endpoint = "auth/me", input = server_fn::codec::GetUrl)]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let request = crate::context::request::public().await?;
    Ok(request.caller().await?.map(|caller| caller.user))
}

/// Signs in with a username or email and a password, replacing any session the browser held.
/// For an account with two-factor on, a correct password opens the checkpoint instead.
#[server(prefix = "/api", endpoint = "auth/login")]
pub async fn login(identifier: String, password: Password) -> Result<LoginOutcome, AppError> {
    use crate::context::request;
    use server::{sessions, PasswordAccepted};

    let request = request::public().await?;
    let state = &request.state;
    request.limit(crate::context::rate_limit::Bucket::SignIn)?;

    let accepted = server::sign_in(state, &identifier, &password, &request.origin).await?;

    // A new sign-in always gets a new token; the one the browser held before is dead.
    if let Some(previous) = &request.token {
        sessions::revoke_token(state, previous).await?;
    }
    match accepted {
        PasswordAccepted::Session(signed_in) => {
            request::set_cookie(&sessions::session_cookie(&state.settings, &signed_in.token))?;
            tracing::info!(user_id = signed_in.user_id, "signed in");
            Ok(LoginOutcome {
                two_factor_required: false,
            })
        }
        PasswordAccepted::Checkpoint { token, user_id } => {
            if request.token.is_some() {
                request::set_cookie(&sessions::clear_cookie(&state.settings))?;
            }
            let cookie = crate::two_factor::server::checkpoint_cookie(&state.settings, &token);
            request::set_cookie(&cookie)?;
            tracing::info!(user_id, "password accepted; two-factor code required");
            Ok(LoginOutcome {
                two_factor_required: true,
            })
        }
    }
}

/// Ends the current session.
#[server(prefix = "/api", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::activity::server::{record, Entry};
    use crate::activity::Event;
    use crate::context::request;
    use server::sessions;

    let (request, caller) = request::signed_in().await?;
    let state = &request.state;

    sessions::revoke(state, caller.session_id).await?;
    request::set_cookie(&sessions::clear_cookie(&state.settings))?;

    let entry = Entry::new(Event::SignedOut)
        .actor(caller.user.id, &caller.user.username)
        .subject("user", caller.user.id);
    record(&state.db, state.now(), &request.origin, entry).await;
    Ok(())
}
