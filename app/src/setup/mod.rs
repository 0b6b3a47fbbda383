//! First-run setup of the first root admin.

#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::i18n::t;
use crate::public::use_public_info;
use crate::shell::{hard_navigate, ErrorBanner, FieldMessage};
use crate::users::Password;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Creates the first root admin; only while no account exists, and only with the setup token.
#[server(prefix = "/api", endpoint = "setup")]
pub async fn create_first_admin(
    token: String,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    password: Password,
) -> Result<(), AppError> {
    use crate::context::request;
    use crate::users::server::NewUserForm;

    let request = request::public().await?;

    let form = NewUserForm {
        username,
        email,
        first_name,
        last_name,
        password: Some(password),
        is_admin: true,
    };
    server::create_first_admin(&request.state, &token, form, &request.origin).await?;
    Ok(())
}

/// `/setup`: the first-run form. Gone (redirects to sign-in) once setup is complete.
#[component]
pub fn SetupPage() -> impl IntoView {
    let create = ServerAction::<CreateFirstAdmin>::new();
    let info = use_public_info();

    Effect::new(move || {
        if let Some(Ok(())) = create.value().get() {
            hard_navigate("/login");
        }
    });

    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let pending = create.pending();

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let open = info.await.map(|i| i.setup_required).unwrap_or(false);
                (!open).then(|| view! { <Redirect path="/login" /> })
            })}
        </Suspense>
        <main class="auth-card" id="main">
            <h1>{t("Set up Gatehouse")}</h1>
            <p>
                {t("Create the first administrator. The setup token is printed in the server's log.")}
            </p>
            <ActionForm action=create attr:class="form">
                <label for="token">{t("Setup token")}</label>
                <input id="token" name="token" type="text" autocomplete="off" required />
                <FieldMessage id="token-error" message=field("token") />
                <label for="username">{t("Username")}</label>
                <input id="username" name="username" type="text" autocomplete="username" required />
                <FieldMessage id="username-error" message=field("username") />
                <label for="email">{t("Email")}</label>
                <input id="email" name="email" type="email" autocomplete="email" required />
                <FieldMessage id="email-error" message=field("email") />
                <label for="first_name">{t("First name")}</label>
                <input
                    id="first_name"
                    name="first_name"
                    type="text"
                    autocomplete="given-name"
                    required
                />
                <FieldMessage id="first_name-error" message=field("first_name") />
                <label for="last_name">{t("Last name")}</label>
                <input
                    id="last_name"
                    name="last_name"
                    type="text"
                    autocomplete="family-name"
                    required
                />
                <FieldMessage id="last_name-error" message=field("last_name") />
                <label for="password">{t("Password")}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minlength="8"
                    required
                />
                <FieldMessage id="password-error" message=field("password") />
                <ErrorBanner id="setup-error" error=error />
                <button type="submit" class="primary" disabled=pending>
                    {t("Create administrator")}
                </button>
            </ActionForm>
        </main>
    }
}
