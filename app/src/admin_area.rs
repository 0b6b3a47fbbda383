//! The admin landing page and the panel settings page.

use crate::error::AppError;
use crate::permissions::AdminPermission;
use crate::settings::{get_two_factor_policy, SetTwoFactorPolicy, TwoFactorPolicy};
use crate::shell::{use_current_user, ErrorBanner};
use leptos::prelude::*;

/// The admin areas that exist, each with the permission that opens it (`None`: root only).
const AREAS: &[(&str, &str, Option<AdminPermission>, &str)] = &[
    (
        "/admin/users",
        "Users",
        Some(AdminPermission::UsersRead),
        "Search, create and manage accounts.",
    ),
    (
        "/admin/roles",
        "Roles",
        Some(AdminPermission::RolesRead),
        "Named sets of admin and server permissions.",
    ),
    (
        "/admin/servers",
        "Servers",
        Some(AdminPermission::ServersRead),
        "Create, change, suspend, transfer and delete game servers.",
    ),
    (
        "/admin/nodes",
        "Nodes",
        Some(AdminPermission::NodesRead),
        "The machines that run servers, their allocations and daemon secrets.",
    ),
    (
        "/admin/locations",
        "Locations",
        Some(AdminPermission::LocationsRead),
        "Where nodes stand, each named by a short code.",
    ),
    (
        "/admin/nests",
        "Nests and eggs",
        Some(AdminPermission::NestsRead),
        "Groups of eggs, and how each kind of game server is installed and started.",
    ),
    (
        "/admin/backup-configurations",
        "Backup configurations",
        Some(AdminPermission::BackupConfigurationsRead),
        "Where server backups go: S3 buckets and Restic repositories.",
    ),
    (
        "/admin/settings",
        "Settings",
        None,
        "Panel-wide settings such as the two-factor policy.",
    ),
];

/// `/admin`: the areas this user may open, and nothing else.
#[component]
pub fn AdminHome() -> impl IntoView {
    let user = use_current_user();
    view! {
        <h1>"Administration"</h1>
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = user.await else { return ().into_any() };
                let open: Vec<_> = AREAS
                    .iter()
                    .filter(|(_, _, permission, _)| match permission {
                        Some(permission) => me.can(*permission),
                        None => me.is_admin,
                    })
                    .collect();
                if open.is_empty() {
                    return view! { <p class="empty">"You have no admin permissions."</p> }.into_any();
                }
                view! {
                    <ul class="area-list">
                        {open.into_iter().map(|(href, title, _, text)| view! {
                            <li><a href=*href>{*title}</a>" — "{*text}</li>
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
    view! {
        <h1>"Settings"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match policy.await {
                    Err(error) => view! { <ErrorBanner id="settings-error" error=Signal::derive(move || Some::<AppError>(error.clone())) /> }.into_any(),
                    Ok(current) => view! {
                        <ActionForm action=set attr:class="form card">
                            <fieldset>
                                <legend>"Who must use two-factor authentication"</legend>
                                {TwoFactorPolicy::ALL.into_iter().map(|option| {
                                    let label = match option {
                                        TwoFactorPolicy::None => "Nobody by default (roles can still require it)",
                                        TwoFactorPolicy::Admins => "Administrators: root admins and every holder of an admin permission",
                                        TwoFactorPolicy::Everyone => "Everyone",
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
                            <p class="status" role="status" aria-live="polite">{move || matches!(set.value().get(), Some(Ok(()))).then_some("Policy saved.")}</p>
                            <button type="submit" class="primary">"Save policy"</button>
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
