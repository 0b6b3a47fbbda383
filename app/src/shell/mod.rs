//! The application shell: the HTML document, the router, the signed-in layout and the small
//! components every page uses.

#[cfg(feature = "ssr")]
pub mod offline;

use crate::accounts::pages::{AccountActivityPage, AccountPage, SecurityPage};
use crate::activity::pages::AdminActivityPage;
use crate::admin_area::{AdminHome, SettingsPage};
use crate::auth::pages::LoginPage;
use crate::auth::{current_user, Logout};
use crate::backup_configs::pages::{BackupConfigurationEditorPage, BackupConfigurationsPage};
use crate::eggs::pages::{EggEditorPage, NestPage, NestsPage};
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::locations::pages::{LocationPage, LocationsPage};
use crate::nodes::pages::{NewNodePage, NodePage, NodesPage};
use crate::password_links::{ForgotPasswordPage, SetPasswordPage};
use crate::roles::pages::{RoleEditorPage, RolesPage};
use crate::servers::admin_pages::{AdminServerEditorPage, AdminServersPage};
use crate::servers::pages::{
    ServerActivityTab, ServerLayout, ServerOverview, ServerSettingsTab, ServerStartupTab,
    ServersPage,
};
use crate::setup::SetupPage;
use crate::subusers::pages::SubusersTab;
use crate::two_factor::pages::TwoFactorCheckpointPage;
use crate::user_admin::pages::{NewUserPage, UserPage, UsersPage};
use crate::users::SessionUser;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::context::security::provide_content_security_policy();
    let locale = crate::i18n::current();
    #[cfg(feature = "ssr")]
    provide_context(locale);

    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="theme-color" content="#1f5fbf" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <HashedStylesheet options=options.clone() id="gatehouse" />
                <script src="/sw-register.js" defer=true></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Marks the document once the browser has taken it over (`<html data-hydrated>`): styles can
/// tell a page that reacts to clicks from one still waiting for its script, and so can tests.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(root) = document().document_element() {
        // Only a hint for styles and tests: nothing depends on it succeeding.
        let _ = root.set_attribute("data-hydrated", "");
    }
}

/// The current user, shared by every page.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<SessionUser>, AppError>>);

pub fn use_current_user() -> Resource<Result<Option<SessionUser>, AppError>> {
    expect_context::<CurrentUser>().0
}

/// The root component: routes and shared resources.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(CurrentUser(Resource::new(|| (), |_| current_user())));

    view! {
        <Title text="Gatehouse" />
        <div id="update-banner" class="banner update" role="status" hidden=true>
            {t("A new version of Gatehouse is available.")}
            " "
            <button type="button" id="update-reload" class="secondary">{t("Reload")}</button>
        </div>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                <Route path=path!("/password/set") view=SetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/password/forgot") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/login/two-factor") view=TwoFactorCheckpointPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ServersPage />
                    <Route path=path!("/servers") view=ServersPage />
                    <ParentRoute path=path!("/servers/:id") view=ServerLayout>
                        <Route path=path!("") view=ServerOverview />
                        <Route path=path!("settings") view=ServerSettingsTab />
                        <Route path=path!("startup") view=ServerStartupTab />
                        <Route path=path!("subusers") view=SubusersTab />
                        <Route path=path!("activity") view=ServerActivityTab />
                    </ParentRoute>
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/account/security") view=SecurityPage />
                    <Route path=path!("/account/activity") view=AccountActivityPage />
                    <Route path=path!("/admin") view=AdminHome />
                    <Route path=path!("/admin/settings") view=SettingsPage />
                    <Route path=path!("/admin/activity") view=AdminActivityPage />
                    <Route path=path!("/admin/roles") view=RolesPage />
                    <Route path=path!("/admin/roles/new") view=RoleEditorPage />
                    <Route path=path!("/admin/roles/:id") view=RoleEditorPage />
                    <Route path=path!("/admin/users") view=UsersPage />
                    <Route path=path!("/admin/users/new") view=NewUserPage />
                    <Route path=path!("/admin/users/:id") view=UserPage />
                    // Admin areas: locations, nodes, nests and eggs, backup configurations, servers.
                    <Route path=path!("/admin/locations") view=LocationsPage />
                    <Route path=path!("/admin/locations/:id") view=LocationPage />
                    <Route path=path!("/admin/nodes") view=NodesPage />
                    <Route path=path!("/admin/nodes/new") view=NewNodePage />
                    <Route path=path!("/admin/nodes/:id") view=NodePage />
                    <Route path=path!("/admin/nests") view=NestsPage />
                    <Route path=path!("/admin/nests/:id") view=NestPage />
                    <Route path=path!("/admin/eggs/new") view=EggEditorPage />
                    <Route path=path!("/admin/eggs/:id") view=EggEditorPage />
                    <Route path=path!("/admin/backup-configurations") view=BackupConfigurationsPage />
                    <Route path=path!("/admin/backup-configurations/new") view=BackupConfigurationEditorPage />
                    <Route path=path!("/admin/backup-configurations/:id") view=BackupConfigurationEditorPage />
                    <Route path=path!("/admin/servers") view=AdminServersPage />
                    <Route path=path!("/admin/servers/new") view=AdminServerEditorPage />
                    <Route path=path!("/admin/servers/:id") view=AdminServerEditorPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Loads a page with a full request, so every resource starts fresh (after sign-in or out).
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        if window.location().set_href(path).is_err() {
            leptos::logging::warn!("navigation to {path} failed");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// The frame of every signed-in page: header, navigation, user menu. Anonymous visitors are
/// sent to sign in. This is a convenience for the interface only; every server function checks
/// the caller itself.
#[component]
fn SignedInLayout() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Suspense fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! { <Frame user /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(error) => view! { <main class="page"><ErrorBanner id="page-error" error=Signal::derive(move || Some(error.clone())) /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The signed-in user as the frame rendered them: the same value on the server and in the
/// browser, so pages can shape themselves by it without a hydration mismatch. The interface
/// only hides what would be refused; the server decides.
#[derive(Clone)]
pub struct SignedInUser(pub SessionUser);

/// The signed-in user of the current frame, if any.
pub fn use_signed_in_user() -> Option<SessionUser> {
    use_context::<SignedInUser>().map(|user| user.0)
}

/// The name shown in the header, which pages may update after a profile change.
#[derive(Clone, Copy)]
pub struct HeaderName(pub RwSignal<String>);

#[component]
fn Frame(user: SessionUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    Effect::new(move || {
        if let Some(Ok(())) = logout.value().get() {
            hard_navigate("/login");
        }
    });
    let name = RwSignal::new(user.display_name());
    provide_context(HeaderName(name));
    provide_context(SignedInUser(user.clone()));
    view! {
        <a class="skip-link" href="#main">{t("Skip to content")}</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"Gatehouse"</A>
            <nav aria-label=t("Main")>
                <A href="/servers">{t("Servers")}</A>
                <A href="/account">{t("Account")}</A>
                {(!user.admin_permissions.is_empty()).then(|| view! { <A href="/admin">{t("Admin")}</A> })}
            </nav>
            <div class="user-menu">
                <span class="user-name" title=user.username.clone()>{name}</span>
                <ActionForm action=logout>
                    <button type="submit" class="secondary">{t("Sign out")}</button>
                </ActionForm>
            </div>
        </header>
        {user.impersonated_by.clone().map(|admin| view! { <ImpersonationBanner username=user.username.clone() admin /> })}
        {user.confined().then(|| view! {
            <div class="banner" role="alert">
                {t("Your account must use two-factor authentication before you can continue.")}
                " "
                <a href="/account/security">{t("Turn on two-factor")}</a>
            </div>
        })}
        <main class="page" id="main">
            <Outlet />
        </main>
    }
}

/// Names both identities on every page of an impersonation, with the way back.
#[component]
fn ImpersonationBanner(username: String, admin: String) -> impl IntoView {
    let stop = ServerAction::<crate::impersonation::StopImpersonation>::new();
    Effect::new(move || {
        if let Some(Ok(())) = stop.value().get() {
            hard_navigate("/admin/users");
        }
    });
    view! {
        <div class="banner impersonation" role="status">
            {tf("You are acting as {username} (impersonated by {admin}). Everything you do is recorded under both names.", &[("username", &username), ("admin", &admin)])}
            " "
            <ActionForm action=stop attr:class="inline-form">
                <button type="submit" class="secondary">{t("Stop impersonating")}</button>
            </ActionForm>
            <ErrorBanner id="stop-impersonating-error" error=Signal::derive(move || stop.value().get().and_then(Result::err)) />
        </div>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="auth-card" id="main">
            <h1>{t("Page not found")}</h1>
            <p><a href="/">{t("Go to the start page")}</a></p>
        </main>
    }
}

/// An error for the whole form, announced to screen readers, in the page's language.
#[component]
pub fn ErrorBanner(
    #[prop(into)] id: String,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div id=id class="error-banner" role="alert" aria-live="assertive">
            {move || error.get().map(|e| e.to_string())}
        </div>
    }
}

/// The message under one field.
#[component]
pub fn FieldMessage(
    #[prop(into)] id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="field-error" aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// The "delete this" part of an editor: a danger button that asks first, moves the focus to
/// the confirmation, and shows why the server refused (an in-use count, say). The texts are
/// the English keys (or already translated with `t`); they are shown in the page's language.
#[component]
pub fn DeleteSection(
    /// Prefix of the element ids, such as `node`.
    id: &'static str,
    title: &'static str,
    /// What deleting involves, shown before the button.
    note: &'static str,
    question: &'static str,
    confirming: RwSignal<bool>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let delete_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    // When the confirmation closes (cancelled, Escape, or refused), the focus goes back to
    // the button that opened it rather than to the page.
    let refocus = RwSignal::new(false);
    let was_open = StoredValue::new(false);
    Effect::new(move || {
        let open = confirming.get();
        if was_open.get_value() && !open {
            refocus.set(true);
        }
        was_open.set_value(open);
    });
    Effect::new(move || {
        if refocus.get() {
            if let Some(button) = delete_button.get() {
                let _ = button.focus();
                refocus.set(false);
            }
        }
    });
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    // While the confirmation is open it holds the focus: Escape closes it, and Tab cycles
    // between its two buttons instead of leaving for the rest of the page.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if !confirming.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => confirming.set(false),
            "Tab" => {
                let (Some(confirm), Some(cancel)) = (confirm_button.get(), cancel_button.get())
                else {
                    return;
                };
                let active = document().active_element();
                let on_confirm = active.as_ref() == Some(confirm.as_ref());
                let on_cancel = active.as_ref() == Some(cancel.as_ref());
                if ev.shift_key() && (on_confirm || !on_cancel) {
                    ev.prevent_default();
                    let _ = cancel.focus();
                } else if !ev.shift_key() && (on_cancel || !on_confirm) {
                    ev.prevent_default();
                    let _ = confirm.focus();
                }
            }
            _ => {}
        }
    };
    view! {
        <section class="card" aria-labelledby=format!("{id}-delete-heading") on:keydown=on_key>
            <h2 id=format!("{id}-delete-heading")>{t(title)}</h2>
            <p class="muted">{t(note)}</p>
            <Show
                when=move || confirming.get()
                fallback=move || view! { <button type="button" class="danger" node_ref=delete_button on:click=move |_| confirming.set(true)>{t(title)}</button> }
            >
                <div role="alertdialog" aria-labelledby=format!("{id}-delete-heading") aria-describedby=format!("{id}-delete-question")>
                    <p id=format!("{id}-delete-question")>{t(question)}</p>
                    <div class="actions">
                        <button type="button" class="danger" node_ref=confirm_button disabled=move || pending.get() on:click=move |_| on_confirm.run(())>{t("Confirm delete")}</button>
                        <button type="button" class="secondary" node_ref=cancel_button on:click=move |_| confirming.set(false)>{t("Cancel")}</button>
                    </div>
                </div>
            </Show>
            <ErrorBanner id=format!("{id}-delete-error") error=error />
        </section>
    }
}
