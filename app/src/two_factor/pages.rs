//! The two-factor checkpoint page and the two-factor section of `/account/security`.

use super::{
    get_two_factor_status, ConfirmTwoFactor, DisableTwoFactor, RegenerateRecoveryCodes,
    StartTwoFactor, VerifyTwoFactor,
};
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::shell::{hard_navigate, ErrorBanner, FieldMessage};
use leptos::prelude::*;

/// `/login/two-factor`: the second step of signing in.
#[component]
pub fn TwoFactorCheckpointPage() -> impl IntoView {
    let verify = ServerAction::<VerifyTwoFactor>::new();
    Effect::new(move || {
        if let Some(Ok(())) = verify.value().get() {
            hard_navigate("/");
        }
    });
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    let expired = move || matches!(error.get(), Some(AppError::Unauthorized));
    let code_error = Signal::derive(move || error.get().and_then(|e| e.field_message("code")));
    let other_error = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Unauthorized | AppError::Validation { .. }))
    });
    let pending = verify.pending();

    view! {
        <main class="auth-card" id="main">
            <h1>{t("Two-factor authentication")}</h1>
            <Show
                when=move || !expired()
                fallback=|| {
                    view! {
                        <p role="alert">{t("This sign-in has expired or too many codes were wrong. Please sign in again.")}</p>
                        <p><a href="/login">{t("Sign in again")}</a></p>
                    }
                }
            >
                <p>{t("Enter the code from your authenticator app, or one of your recovery codes.")}</p>
                <ActionForm action=verify attr:class="form">
                    <label for="code">{t("Authentication code")}</label>
                    <input
                        id="code"
                        name="code"
                        type="text"
                        inputmode="text"
                        autocomplete="one-time-code"
                        autocapitalize="none"
                        spellcheck="false"
                        maxlength="32"
                        required
                        autofocus
                        aria-describedby="code-error"
                    />
                    <FieldMessage id="code-error" message=code_error />
                    <ErrorBanner id="two-factor-error" error=other_error />
                    <button type="submit" class="primary" disabled=pending>{t("Verify")}</button>
                </ActionForm>
            </Show>
        </main>
    }
}

/// The one-time display of recovery codes, with copy and download.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = codes.join("\n");
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        text.replace('\n', "%0A")
    );
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
        copied.set(true);
    };
    view! {
        <div class="recovery-codes">
            <p><strong>{t("Save these recovery codes now.")}</strong> " " {t("Each works once, and they will not be shown again.")}</p>
            <ol aria-label=t("Recovery codes")>
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <div class="actions">
                <button type="button" class="secondary" on:click=copy>{t("Copy codes")}</button>
                <a class="button secondary" href=download download="gatehouse-recovery-codes.txt">{t("Download codes")}</a>
            </div>
            <p class="status" role="status" aria-live="polite">{move || copied.get().then(|| t("Copied to the clipboard."))}</p>
        </div>
    }
}

/// Password and code fields shared by the confirm, regenerate and disable forms.
#[component]
fn PasswordAndCode(
    #[prop(into)] prefix: String,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let password_id = format!("{prefix}-password");
    let code_id = format!("{prefix}-code");
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    view! {
        <label for=code_id.clone()>{t("Authentication code")}</label>
        <input id=code_id.clone() name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required />
        <FieldMessage id=format!("{code_id}-error") message=field("code") />
        <label for=password_id.clone()>{t("Password")}</label>
        <input id=password_id.clone() name="password" type="password" autocomplete="current-password" required />
        <FieldMessage id=format!("{password_id}-error") message=field("password") />
    }
}

/// The two-factor part of `/account/security`.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let status = Resource::new(
        move || {
            (
                confirm.version().get(),
                regenerate.version().get(),
                disable.version().get(),
            )
        },
        |_| get_two_factor_status(),
    );
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let regenerate_error = Signal::derive(move || regenerate.value().get().and_then(Result::err));
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    let start_error = Signal::derive(move || start.value().get().and_then(Result::err));

    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t("Two-factor authentication")}</h2>
            {move || confirm.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes /> })}
            {move || regenerate.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes /> })}
            <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <ErrorBanner id="two-factor-status-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                        Ok(state) if state.enabled => view! {
                            <p><strong>{t("Two-factor authentication is on.")}</strong> " " {tf("{count} recovery codes left.", &[("count", &state.recovery_codes_left)])}</p>
                            <details>
                                <summary>{t("Regenerate recovery codes")}</summary>
                                <ActionForm action=regenerate attr:class="form">
                                    <PasswordAndCode prefix="regenerate" error=regenerate_error />
                                    <ErrorBanner id="regenerate-error" error=regenerate_error />
                                    <button type="submit" class="primary">{t("Regenerate recovery codes")}</button>
                                </ActionForm>
                            </details>
                            <details>
                                <summary>{t("Disable two-factor")}</summary>
                                <ActionForm action=disable attr:class="form">
                                    <PasswordAndCode prefix="disable" error=disable_error />
                                    <ErrorBanner id="disable-error" error=disable_error />
                                    <button type="submit" class="danger">{t("Disable two-factor")}</button>
                                </ActionForm>
                            </details>
                        }.into_any(),
                        Ok(_) => view! {
                            <p><strong>{t("Two-factor authentication is off.")}</strong> " " {t("Turn it on to ask for a code from an authenticator app at every sign-in.")}</p>
                            {move || match start.value().get() {
                                Some(Ok(enrolment)) => view! {
                                    <div class="enrolment">
                                        <p>{t("Scan this code with your authenticator app, or type the secret in by hand.")}</p>
                                        <div class="qr" role="img" aria-label=t("QR code for your authenticator app") inner_html=enrolment.qr_svg.clone()></div>
                                        <p>{t("Secret:")} " " <code id="totp-secret">{enrolment.secret.clone()}</code></p>
                                        <ActionForm action=confirm attr:class="form">
                                            <PasswordAndCode prefix="confirm" error=confirm_error />
                                            <ErrorBanner id="confirm-error" error=confirm_error />
                                            <button type="submit" class="primary">{t("Confirm and turn on")}</button>
                                        </ActionForm>
                                    </div>
                                }.into_any(),
                                _ => view! {
                                    <ActionForm action=start>
                                        <ErrorBanner id="start-error" error=start_error />
                                        <button type="submit" class="primary">{t("Enable two-factor")}</button>
                                    </ActionForm>
                                }.into_any(),
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
