//! The sign-in page.

use super::Login;
use crate::i18n::t;
use crate::public::use_public_info;
use crate::shell::{hard_navigate, use_current_user, ErrorBanner};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/login`: username or email, password, and a "Sign in" button.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let user = use_current_user();
    let info = use_public_info();

    Effect::new(move || match login.value().get() {
        Some(Ok(outcome)) if outcome.two_factor_required => hard_navigate("/login/two-factor"),
        Some(Ok(_)) => hard_navigate("/"),
        _ => {}
    });

    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let signed_in = matches!(user.await, Ok(Some(_)));
                let setup_required = info.await.map(|i| i.setup_required).unwrap_or(false);
                if signed_in {
                    view! { <Redirect path="/" /> }.into_any()
                } else if setup_required {
                    view! { <Redirect path="/setup" /> }.into_any()
                } else {
                    ().into_any()
                }
            })}
        </Suspense>
        <main class="auth-card" id="main">
            <h1>{t("Sign in to Gatehouse")}</h1>
            <ActionForm action=login attr:class="form" attr:aria-describedby="login-error">
                <label for="identifier">{t("Username or email")}</label>
                <input
                    id="identifier"
                    name="identifier"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    autofocus
                />
                <label for="password">{t("Password")}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                <ErrorBanner id="login-error" error=Signal::derive(error) />
                <button type="submit" class="primary" disabled=pending>
                    {move || if pending.get() { t("Signing in…") } else { t("Sign in") }}
                </button>
            </ActionForm>
            <p><a href="/password/forgot">{t("Forgot password?")}</a></p>
        </main>
    }
}
