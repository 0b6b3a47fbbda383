//! The role pages of the admin area: the list, and one editor for new and existing roles with
//! grouped permission pickers.

use super::{
    get_role, list_roles, role_holders, CreateRole, DeleteRole, DuplicateRole, RoleInput,
    UpdateRole,
};
use crate::i18n::format::number;
use crate::i18n::{t, tf};
use crate::permissions::{AdminPermission, ServerPermission};
use crate::shell::{hard_navigate, use_signed_in_user, ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

/// `/admin/roles`: every role with its holder count.
#[component]
pub fn RolesPage() -> impl IntoView {
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        <h1>{t("Roles")}</h1>
        {use_signed_in_user().is_some_and(|me| me.can(AdminPermission::RolesCreate)).then(|| view! {
            <p><A href="/admin/roles/new" attr:class="button primary">{t("New role")}</A></p>
        })}
        <Transition fallback=|| view! { <p class="loading">{t("Loading roles…")}</p> }>
            {move || Suspend::new(async move {
                match roles.await {
                    Err(error) => view! { <ErrorBanner id="roles-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t("No roles yet.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table>
                                <caption class="visually-hidden">{t("Roles")}</caption>
                                <thead><tr>
                                    <th scope="col">{t("Name")}</th>
                                    <th scope="col">{t("Admin permissions")}</th>
                                    <th scope="col">{t("Server permissions")}</th>
                                    <th scope="col">{t("Two-factor")}</th>
                                    <th scope="col">{t("Holders")}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|role| view! {
                                        <tr>
                                            <td><a href=format!("/admin/roles/{}", role.id)>{role.name}</a><br/><span class="muted">{role.description}</span></td>
                                            <td>{number(role.admin_permissions as i64)}</td>
                                            <td>{number(role.server_permissions as i64)}</td>
                                            <td>{if role.require_two_factor { t("Required") } else { "—" }}</td>
                                            <td>{number(role.holders)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A group of permission checkboxes with a "select all".
#[component]
pub fn PickerGroup(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    keys: Vec<(String, String)>,
    selected: RwSignal<BTreeSet<String>>,
    /// Keys the caller may grant; the others are shown but cannot be ticked.
    grantable: BTreeSet<String>,
) -> impl IntoView {
    let group_keys: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    let all_keys = group_keys.clone();
    let all_selected = move || all_keys.iter().all(|k| selected.read().contains(k));
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selected.update(|set| {
            for key in &group_keys {
                if on {
                    set.insert(key.clone());
                } else {
                    set.remove(key);
                }
            }
        });
    };
    view! {
        <fieldset class="picker-group">
            <legend>{title.clone()}</legend>
            <label class="select-all">
                <input type="checkbox" prop:checked=all_selected on:change=toggle_all />
                {tf("Select all in {group}", &[("group", &title)])}
            </label>
            {keys.into_iter().map(|(key, description)| {
                let input_id = format!("{id}-{key}");
                let checked_key = key.clone();
                let toggled_key = key.clone();
                view! {
                    <div class="picker-key">
                        <input
                            type="checkbox"
                            id=input_id.clone()
                            disabled=!grantable.contains(&key)
                            prop:checked=move || selected.read().contains(&checked_key)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|set| {
                                    if on { set.insert(toggled_key.clone()); } else { set.remove(&toggled_key); }
                                });
                            }
                        />
                        <label for=input_id><code>{key}</code>" — "{description}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The catalogue's keys, grouped as the operator sees them, with group names and descriptions
/// in the current language: (group, [(key, description)]).
fn grouped<T: Copy>(
    all: &[T],
    group: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> &'static str,
    description: impl Fn(T) -> &'static str,
) -> Vec<(String, Vec<(String, String)>)> {
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for p in all.iter().copied() {
        let entry = (key(p).to_owned(), t(description(p)).to_owned());
        let title = t(group(p));
        match groups.iter_mut().find(|(g, _)| g == title) {
            Some((_, keys)) => keys.push(entry),
            None => groups.push((title.to_owned(), vec![entry])),
        }
    }
    groups
}

fn admin_groups() -> Vec<(String, Vec<(String, String)>)> {
    grouped(
        AdminPermission::ALL,
        AdminPermission::group,
        AdminPermission::key,
        AdminPermission::description,
    )
}

pub fn server_groups() -> Vec<(String, Vec<(String, String)>)> {
    grouped(
        ServerPermission::ALL,
        ServerPermission::group,
        ServerPermission::key,
        ServerPermission::description,
    )
}

/// `/admin/roles/new` and `/admin/roles/{id}`.
#[component]
pub fn RoleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let role_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let role = Resource::new(role_id, |id| async move {
        match id {
            Some(id) => get_role(id).await.map(Some),
            None => Ok(None),
        }
    });
    let holders = Resource::new(role_id, |id| async move {
        match id {
            Some(id) => role_holders(id).await,
            None => Ok(Vec::new()),
        }
    });

    view! {
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match (role.await, holders.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorBanner id="role-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    (Ok(role), Ok(holders)) => view! { <RoleForm role holders /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RoleForm(role: Option<super::Role>, holders: Vec<super::RoleHolder>) -> impl IntoView {
    let me = use_signed_in_user();
    let root = me.as_ref().is_some_and(|me| me.is_admin);
    let can = |key: AdminPermission| me.as_ref().is_some_and(|me| me.can(key));
    let grantable_admin: BTreeSet<String> = AdminPermission::ALL
        .iter()
        .filter(|p| root || can(**p))
        .map(|p| p.key().to_owned())
        .collect();
    // Server keys a non-root caller holds through their role are not known in the browser;
    // the server checks them, and the pickers leave them open.
    let grantable_server: BTreeSet<String> = ServerPermission::ALL
        .iter()
        .map(|p| p.key().to_owned())
        .collect();
    let (can_save, can_duplicate, can_delete) = (
        can(if role.is_some() {
            AdminPermission::RolesUpdate
        } else {
            AdminPermission::RolesCreate
        }),
        can(AdminPermission::RolesCreate),
        can(AdminPermission::RolesDelete),
    );
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let id = role.as_ref().map(|r| r.id);
    let version = RwSignal::new(role.as_ref().map_or(0, |r| r.version));
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        role.as_ref()
            .map(|r| r.description.clone())
            .unwrap_or_default(),
    );
    let require_two_factor = RwSignal::new(role.as_ref().is_some_and(|r| r.require_two_factor));
    let admin: RwSignal<BTreeSet<String>> = RwSignal::new(
        role.as_ref()
            .map(|r| {
                r.admin_permissions
                    .iter()
                    .map(|p| p.key().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    );
    let server: RwSignal<BTreeSet<String>> = RwSignal::new(
        role.as_ref()
            .map(|r| {
                r.server_permissions
                    .iter()
                    .map(|p| p.key().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    );
    let create = ServerAction::<CreateRole>::new();
    let update = ServerAction::<UpdateRole>::new();
    let duplicate = ServerAction::<DuplicateRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let confirming = RwSignal::new(false);
    let holder_count = holders.len();

    let input = move || RoleInput {
        name: name.get(),
        description: description.get(),
        require_two_factor: require_two_factor.get(),
        admin_permissions: admin.get().into_iter().collect(),
        server_permissions: server.get().into_iter().collect(),
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id {
            Some(id) => {
                update.dispatch(UpdateRole {
                    id,
                    version: version.get(),
                    input: input(),
                });
            }
            None => {
                create.dispatch(CreateRole { input: input() });
            }
        }
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = create.value().get() {
            hard_navigate(&format!("/admin/roles/{}", saved.id));
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            version.set(saved.version);
        }
    });
    Effect::new(move || {
        if let Some(Ok(copy)) = duplicate.value().get() {
            hard_navigate(&format!("/admin/roles/{}", copy.id));
        }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = delete.value().get() {
            hard_navigate("/admin/roles");
        }
    });
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| update.value().get().and_then(Result::err))
            .or_else(|| duplicate.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let saved = move || matches!(update.value().get(), Some(Ok(_)));

    view! {
        <h1>{if id.is_some() { t("Edit role") } else { t("New role") }}</h1>
        <p><A href="/admin/roles">{t("All roles")}</A></p>
        <form class="form card wide" on:submit=save>
            <label for="role-name">{t("Name")}</label>
            <input id="role-name" type="text" required maxlength="64" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="role-name-error" message=field("name") />
            <label for="role-description">{t("Description")}</label>
            <textarea id="role-description" maxlength="500" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="role-description-error" message=field("description") />
            <label class="inline">
                <input type="checkbox" prop:checked=require_two_factor on:change=move |ev| require_two_factor.set(event_target_checked(&ev)) />
                {t("Require two factor")}
            </label>
            <h2>{t("Admin permissions")}</h2>
            {admin_groups().into_iter().map(|(group, keys)| view! { <PickerGroup id="admin" title=group keys selected=admin grantable=grantable_admin.clone() /> }).collect_view()}
            <FieldMessage id="admin-permissions-error" message=field("admin_permissions") />
            <h2>{t("Server permissions")}</h2>
            <p class="muted">{t("Granted on every server to holders of this role.")}</p>
            {server_groups().into_iter().map(|(group, keys)| view! { <PickerGroup id="server" title=group keys selected=server grantable=grantable_server.clone() /> }).collect_view()}
            <FieldMessage id="server-permissions-error" message=field("server_permissions") />
            <ErrorBanner id="role-save-error" error=error />
            <p class="status" role="status" aria-live="polite">{move || saved().then(|| t("Role saved."))}</p>
            {can_save.then(|| view! { <button type="submit" class="primary" disabled=pending>{t("Save role")}</button> })}
        </form>
        {id.map(|id| view! {
            <section class="card" aria-labelledby="holders-heading">
                <h2 id="holders-heading">{t("Holders")}</h2>
                {if holders.is_empty() {
                    view! { <p class="empty">{t("Nobody holds this role.")}</p> }.into_any()
                } else {
                    view! { <ul>{holders.into_iter().map(|h| view! { <li><a href=format!("/admin/users/{}", h.id)>{h.username}</a>" — "{h.name}</li> }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="role-actions-heading">
                <h2 id="role-actions-heading">{t("Other actions")}</h2>
                {can_duplicate.then(|| view! { <button type="button" class="secondary" on:click=move |_| { duplicate.dispatch(DuplicateRole { id }); }>{t("Duplicate role")}</button> })}
                {can_delete.then(|| view! { <Show
                    when=move || confirming.get()
                    fallback=move || view! { <button type="button" class="danger" on:click=move |_| confirming.set(true)>{t("Delete role")}</button> }
                >
                    <p role="alert">{tf("Delete this role? {count} user(s) hold it and will lose it.", &[("count", &number(holder_count as i64))])}</p>
                    <button type="button" class="danger" node_ref=confirm_button on:click=move |_| { delete.dispatch(DeleteRole { id }); }>{t("Confirm delete")}</button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t("Cancel")}</button>
                </Show> })}
            </section>
        })}
    }
}
