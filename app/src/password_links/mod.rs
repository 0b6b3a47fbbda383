//! Setting a password through a one-time link.

#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::i18n::t;
use crate::shell::{hard_navigate, ErrorBanner, FieldMessage};
use crate::users::Password;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Sets the password of the account a one-time link belongs to. Signs nobody in.
#[server(prefix = "/api", endpoint = "password/set")]
pub async fn set_password_by_link(token: String, password: Password) -> Result<(), AppError> {
    let request = crate::context::request::public().await?;
    request.limit(crate::context::rate_limit::Bucket::Credential)?;
    server::set_password(&request.state, &token, &password, &request.origin).await
}

/// "Forgot password?": mails a one-time link if the address belongs to an account. Always
/// answers the same way.
#[server(prefix = "/api", endpoint = "password/forgot")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let request = crate::context::request::public().await?;
    request.limit(crate::context::rate_limit::Bucket::Credential)?;
    server::request_reset(&request.state, &email, &request.origin);
    Ok(())
}

/// `/password/forgot`: ask for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <main class="auth-card" id="main">
            <h1>{t("Forgot your password?")}</h1>
            <p>{t("Enter the email address of your account and we will send you a link to choose a new password.")}</p>
            <ActionForm action attr:class="form">
                <label for="email">{t("Email")}</label>
                <input id="email" name="email" type="email" autocomplete="email" required autofocus />
                <ErrorBanner id="forgot-error" error=error />
                <p class="status" role="status" aria-live="polite">
                    {move || sent().then(|| t("If an account uses that address, a link is on its way. It works for 20 minutes."))}
                </p>
                <button type="submit" class="primary">{t("Send reset link")}</button>
            </ActionForm>
            <p><a href="/login">{t("Back to sign in")}</a></p>
        </main>
    }
}

/// `/password/set?token=...`: choose a password from a one-time link.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let action = ServerAction::<SetPasswordByLink>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/login");
        }
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    view! {
        <main class="auth-card" id="main">
            <h1>{t("Choose a password")}</h1>
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" value=token />
                <FieldMessage id="token-error" message=field("token") />
                <label for="password">{t("New password")}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minlength="8"
                    required
                    autofocus
                />
                <FieldMessage id="password-error" message=field("password") />
                <ErrorBanner id="set-password-error" error=error />
                <button type="submit" class="primary">{t("Set password")}</button>
            </ActionForm>
        </main>
    }
}
