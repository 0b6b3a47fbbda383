//! The admin landing page and the panel settings page.

use crate::activity::admin::{get_retention, SetRetention};
use crate::error::AppError;
use crate::i18n::t;
use crate::permissions::AdminPermission;
use crate::settings::{get_two_factor_policy, SetTwoFactorPolicy, TwoFactorPolicy};
use crate::shell::{use_current_user, ErrorBanner};
use leptos::prelude::*;

/// The admin areas that exist, each with the permission that opens it (`None`: root only),
/// their names and descriptions in the current language.
fn areas() -> [(
    &'static str,
    &'static str,
    Option<AdminPermission>,
    &'static str,
); 9] {
    [
        (
            "/admin/users",
            t("Users"),
            Some(AdminPermission::UsersRead),
            t("Search, create and manage accounts."),
        ),
        (
            "/admin/roles",
            t("Roles"),
            Some(AdminPermission::RolesRead),
            t("Named sets of admin and server permissions."),
        ),
        (
            "/admin/servers",
            t("Servers"),
            Some(AdminPermission::ServersRead),
            t("Create, change, suspend, transfer and delete game servers."),
        ),
        (
            "/admin/nodes",
            t("Nodes"),
            Some(AdminPermission::NodesRead),
            t("The machines that run servers, their allocations and daemon secrets."),
        ),
        (
            "/admin/locations",
            t("Locations"),
            Some(AdminPermission::LocationsRead),
            t("Where nodes stand, each named by a short code."),
        ),
        (
            "/admin/nests",
            t("Nests and eggs"),
            Some(AdminPermission::NestsRead),
            t("Groups of eggs, and how each kind of game server is installed and started."),
        ),
        (
            "/admin/backup-configurations",
            t("Backup configurations"),
            Some(AdminPermission::BackupConfigurationsRead),
            t("Where server backups go: S3 buckets and Restic repositories."),
        ),
        (
            "/admin/activity",
            t("Activity log"),
            Some(AdminPermission::ActivityRead),
            t("Every recorded event, with filters and CSV export."),
        ),
        (
            "/admin/settings",
            t("Settings"),
            None,
            t("Panel-wide settings such as the two-factor policy."),
        ),
    ]
}

/// `/admin`: the areas this user may open, and nothing else.
#[component]
pub fn AdminHome() -> impl IntoView {
    let user = use_current_user();
    view! {
        <h1>{t("Administration")}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = user.await else { return ().into_any() };
                let open: Vec<_> = areas()
                    .into_iter()
                    .filter(|(_, _, permission, _)| match permission {
                        Some(permission) => me.can(*permission),
                        None => me.is_admin,
                    })
                    .collect();
                if open.is_empty() {
                    return view! { <p class="empty">{t("You have no admin permissions.")}</p> }.into_any();
                }
                view! {
                    <ul class="area-list">
                        {open.into_iter().map(|(href, title, _, text)| view! {
                            <li><a href=href>{title}</a>" — "{text}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/admin/settings`: root admins choose the two-factor policy.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let set = ServerAction::<SetTwoFactorPolicy>::new();
    let policy = Resource::new(move || set.version().get(), |_| get_two_factor_policy());
    let error = Signal::derive(move || set.value().get().and_then(Result::err));
    let set_retention = ServerAction::<SetRetention>::new();
    let retention = Resource::new(move || set_retention.version().get(), |_| get_retention());
    let retention_error = Signal::derive(move || set_retention.value().get().and_then(Result::err));
    view! {
        <h1>{t("Settings")}</h1>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match policy.await {
                    Err(error) => view! { <ErrorBanner id="settings-error" error=Signal::derive(move || Some::<AppError>(error.clone())) /> }.into_any(),
                    Ok(current) => view! {
                        <ActionForm action=set attr:class="form card">
                            <fieldset>
                                <legend>{t("Who must use two-factor authentication")}</legend>
                                {TwoFactorPolicy::ALL.into_iter().map(|option| {
                                    let label = match option {
                                        TwoFactorPolicy::None => t("Nobody by default (roles can still require it)"),
                                        TwoFactorPolicy::Admins => t("Administrators: root admins and every holder of an admin permission"),
                                        TwoFactorPolicy::Everyone => t("Everyone"),
                                    };
                                    let id = format!("policy-{}", option.key());
                                    view! {
                                        <div class="picker-key">
                                            <input type="radio" id=id.clone() name="policy" value=option.key() checked=option == current />
                                            <label for=id>{label}</label>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <ErrorBanner id="policy-error" error=error />
                            <p class="status" role="status" aria-live="polite">{move || matches!(set.value().get(), Some(Ok(()))).then(|| t("Policy saved."))}</p>
                            <button type="submit" class="primary">{t("Save policy")}</button>
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match retention.await {
                    Err(error) => view! { <ErrorBanner id="retention-load-error" error=Signal::derive(move || Some::<AppError>(error.clone())) /> }.into_any(),
                    Ok(current) => view! {
                        <ActionForm action=set_retention attr:class="form card">
                            <fieldset>
                                <legend>{t("How long activity is kept (days; 0 keeps it forever)")}</legend>
                                <label for="retention-account">{t("Sign-ins and account changes")}</label>
                                <input id="retention-account" name="account_days" type="number" min="0" max="36500" required value=current.account_days.to_string() />
                                <label for="retention-server">{t("Server activity")}</label>
                                <input id="retention-server" name="server_days" type="number" min="0" max="36500" required value=current.server_days.to_string() />
                                <label for="retention-admin">{t("Admin activity")}</label>
                                <input id="retention-admin" name="admin_days" type="number" min="0" max="36500" required value=current.admin_days.to_string() />
                            </fieldset>
                            <p class="muted">{t("Older activity is removed once an hour.")}</p>
                            <ErrorBanner id="retention-error" error=retention_error />
                            <p class="status" role="status" aria-live="polite">{move || matches!(set_retention.value().get(), Some(Ok(_))).then(|| t("Retention saved."))}</p>
                            <button type="submit" class="primary">{t("Save retention")}</button>
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
