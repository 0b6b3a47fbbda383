//! The user pages of the admin area: search, create, and one user's page with its actions.

use super::{
    get_user, search_users, AdminDisableTwoFactor, CreateUser, DeleteUser, NewUserInput,
    SendPasswordReset, UnlockUser, UpdateUser, UserUpdate,
};
use crate::accounts::display::format_utc;
use crate::i18n::{t, tf};
use crate::impersonation::StartImpersonation;
use crate::permissions::AdminPermission;
use crate::roles::{list_roles, RoleSummary};
use crate::shell::{hard_navigate, use_signed_in_user, ErrorBanner, FieldMessage};
use crate::users::{Password, RoleRef, LANGUAGES};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/admin/users`: search by the start of a username or email, 50 a page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || query_map.read().get("q").unwrap_or_default();
    let after = move || query_map.read().get("after");
    let page = Resource::new(
        move || (query(), after()),
        |(q, after)| search_users(Some(q), after),
    );
    view! {
        <h1>{t("Users")}</h1>
        {use_signed_in_user().is_some_and(|me| me.can(AdminPermission::UsersCreate)).then(|| view! {
            <p><A href="/admin/users/new" attr:class="button primary">{t("New user")}</A></p>
        })}
        <form method="get" action="/admin/users" class="search" role="search">
            <label for="user-search">{t("Search by the start of a username, or of an email address (with @)")}</label>
            <input id="user-search" name="q" type="search" prop:value=query />
            <button type="submit" class="secondary">{t("Search")}</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">{t("Loading users…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorBanner id="users-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table>
                                <caption class="visually-hidden">{t("Users")}</caption>
                                <thead><tr>
                                    <th scope="col">{t("Username")}</th>
                                    <th scope="col">{t("Email")}</th>
                                    <th scope="col">{t("Name")}</th>
                                    <th scope="col">{t("Role")}</th>
                                    <th scope="col">{t("Admin")}</th>
                                    <th scope="col">{t("Two-factor")}</th>
                                    <th scope="col">{t("Created")}</th>
                                </tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|user| view! {
                                        <tr>
                                            <td><a href=format!("/admin/users/{}", user.id)>{user.username}</a>{user.locked.then(|| view! { <span class="badge">{t("Locked")}</span> })}</td>
                                            <td>{user.email}</td>
                                            <td>{format!("{} {}", user.first_name, user.last_name)}</td>
                                            <td>{user.role.map(|r| r.name).unwrap_or_else(|| "—".into())}</td>
                                            <td>{if user.is_admin { t("Root admin") } else { "—" }}</td>
                                            <td>{if user.two_factor { t("On") } else { t("Off") }}</td>
                                            <td>{format_utc(user.created_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {page.next_after.map(|next| view! {
                            <p><a href=move || format!("/admin/users?q={}&after={}", query(), next)>{t("Next page")}</a></p>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The role choices for a select. The page loads the roles (a resource created inside this
/// component would sit in a second suspense and break hydration); a user who may not list
/// roles still sees the role they are editing.
#[component]
fn RoleSelect(
    #[prop(into)] id: String,
    roles: Vec<RoleSummary>,
    current: Option<RoleRef>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let mut choices: Vec<(i64, String)> =
        roles.into_iter().map(|role| (role.id, role.name)).collect();
    if let Some(current) = current {
        if !choices.iter().any(|(id, _)| *id == current.id) {
            choices.push((current.id, current.name));
        }
    }
    view! {
        <select id=id on:change=move |ev| selected.set(event_target_value(&ev).parse().ok())>
            <option value="" selected=move || selected.get().is_none()>{t("No role")}</option>
            {choices.into_iter().map(|(role_id, name)| view! {
                <option value=role_id.to_string() selected=move || selected.get() == Some(role_id)>{name}</option>
            }).collect_view()}
        </select>
    }
}

/// `/admin/users/new`.
#[component]
pub fn NewUserPage() -> impl IntoView {
    let me = use_signed_in_user();
    let roles = Resource::new(|| (), |_| list_roles());
    let create = ServerAction::<CreateUser>::new();
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let language = RwSignal::new("en".to_owned());
    let password = RwSignal::new(String::new());
    let role_id = RwSignal::new(None::<i64>);
    let is_admin = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let password = password.get();
        create.dispatch(CreateUser {
            input: NewUserInput {
                username: username.get(),
                email: email.get(),
                first_name: first_name.get(),
                last_name: last_name.get(),
                language: language.get(),
                password: (!password.is_empty()).then(|| Password::new(password)),
                role_id: role_id.get(),
                is_admin: is_admin.get(),
            },
        });
    };
    Effect::new(move || {
        if let Some(Ok(user)) = create.value().get() {
            hard_navigate(&format!("/admin/users/{}", user.id));
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let root = me.as_ref().is_some_and(|user| user.is_admin);
    let can_assign = me
        .as_ref()
        .is_some_and(|user| user.can(AdminPermission::RolesAssign));
    view! {
        <h1>{t("New user")}</h1>
        <p><A href="/admin/users">{t("All users")}</A></p>
        <form class="form card" on:submit=submit>
            <label for="new-username">{t("Username")}</label>
            <input id="new-username" type="text" required on:input=move |ev| username.set(event_target_value(&ev)) />
            <FieldMessage id="new-username-error" message=field("username") />
            <label for="new-email">{t("Email")}</label>
            <input id="new-email" type="email" required on:input=move |ev| email.set(event_target_value(&ev)) />
            <FieldMessage id="new-email-error" message=field("email") />
            <label for="new-first-name">{t("First name")}</label>
            <input id="new-first-name" type="text" required on:input=move |ev| first_name.set(event_target_value(&ev)) />
            <FieldMessage id="new-first-name-error" message=field("first_name") />
            <label for="new-last-name">{t("Last name")}</label>
            <input id="new-last-name" type="text" required on:input=move |ev| last_name.set(event_target_value(&ev)) />
            <FieldMessage id="new-last-name-error" message=field("last_name") />
            <label for="new-language">{t("Language")}</label>
            <select id="new-language" on:change=move |ev| language.set(event_target_value(&ev))>
                {LANGUAGES.iter().map(|(code, name)| view! { <option value=*code>{*name}</option> }).collect_view()}
            </select>
            <label for="new-password">{t("Temporary password")}</label>
            <input id="new-password" type="password" autocomplete="new-password" aria-describedby="new-password-hint" on:input=move |ev| password.set(event_target_value(&ev)) />
            <p id="new-password-hint" class="muted">{t("Leave empty to email the user a link to set their own password.")}</p>
            <FieldMessage id="new-password-error" message=field("password") />
            {can_assign.then(|| view! {
                <label for="new-role">{t("Role")}</label>
                <Suspense>
                    {move || Suspend::new(async move {
                        let roles = roles.await.unwrap_or_default();
                        view! { <RoleSelect id="new-role" roles current=None selected=role_id /> }
                    })}
                </Suspense>
            })}
            {root.then(|| view! {
                <label class="inline"><input type="checkbox" on:change=move |ev| is_admin.set(event_target_checked(&ev)) />{t("Root admin")}</label>
            })}
            <ErrorBanner id="new-user-error" error=error />
            <button type="submit" class="primary" disabled=move || create.pending().get()>{t("Create user")}</button>
        </form>
    }
}

/// `/admin/users/{id}`: edit and act on one user.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let user = Resource::new(id, get_user);
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        <p><A href="/admin/users">{t("All users")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                // Without `roles.read` the list is empty; the form still shows the current role.
                let roles = roles.await.unwrap_or_default();
                match user.await {
                    Err(error) => view! { <ErrorBanner id="user-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(user) => view! { <UserForm user roles /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserForm(user: super::UserRow, roles: Vec<RoleSummary>) -> impl IntoView {
    let me = use_signed_in_user();
    let root = me.as_ref().is_some_and(|me| me.is_admin);
    // The interface offers only what the server would allow: a root admin's account is for
    // root admins, and each action needs its key.
    let may = |key: AdminPermission| {
        me.as_ref()
            .is_some_and(|me| me.can(key) && (root || !user.is_admin))
    };
    let (can_update, can_reset, can_disable, can_delete, can_assign) = (
        may(AdminPermission::UsersUpdate),
        may(AdminPermission::UsersResetPassword),
        may(AdminPermission::UsersDisableTwoFactor),
        may(AdminPermission::UsersDelete),
        may(AdminPermission::RolesAssign),
    );
    let can_impersonate = may(AdminPermission::UsersImpersonate)
        && me
            .as_ref()
            .is_some_and(|me| me.id != user.id && me.impersonated_by.is_none());
    let impersonate = ServerAction::<StartImpersonation>::new();
    Effect::new(move || {
        if let Some(Ok(())) = impersonate.value().get() {
            hard_navigate("/servers");
        }
    });
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let id = user.id;
    let email = RwSignal::new(user.email.clone());
    let first_name = RwSignal::new(user.first_name.clone());
    let last_name = RwSignal::new(user.last_name.clone());
    let language = RwSignal::new(user.language.clone());
    let role_id = RwSignal::new(user.role.as_ref().map(|r| r.id));
    let is_admin = RwSignal::new(user.is_admin);
    let update = ServerAction::<UpdateUser>::new();
    let reset = ServerAction::<SendPasswordReset>::new();
    let disable = ServerAction::<AdminDisableTwoFactor>::new();
    let unlock = ServerAction::<UnlockUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let confirming = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateUser {
            id,
            input: UserUpdate {
                email: email.get(),
                first_name: first_name.get(),
                last_name: last_name.get(),
                language: language.get(),
                role_id: role_id.get(),
                is_admin: is_admin.get(),
            },
        });
    };
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            hard_navigate("/admin/users");
        }
    });
    let error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reset.value().get().and_then(Result::err))
            .or_else(|| disable.value().get().and_then(Result::err))
            .or_else(|| unlock.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
            .or_else(|| impersonate.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    // An empty text node does not survive server rendering, so "nothing to say" is `None`.
    let status = move || {
        if matches!(update.value().get(), Some(Ok(_))) {
            Some(t("User saved."))
        } else if matches!(reset.value().get(), Some(Ok(()))) {
            Some(t("A password reset email is on its way."))
        } else if matches!(disable.value().get(), Some(Ok(_))) {
            Some(t("Two-factor authentication is off for this user."))
        } else if matches!(unlock.value().get(), Some(Ok(()))) {
            Some(t("The account is unlocked."))
        } else {
            None
        }
    };
    view! {
        <h1>{tf("User {username}", &[("username", &user.username)])}</h1>
        <form class="form card" on:submit=submit>
            <label for="edit-email">{t("Email")}</label>
            <input id="edit-email" type="email" required prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
            <FieldMessage id="edit-email-error" message=field("email") />
            <label for="edit-first-name">{t("First name")}</label>
            <input id="edit-first-name" type="text" required prop:value=first_name on:input=move |ev| first_name.set(event_target_value(&ev)) />
            <FieldMessage id="edit-first-name-error" message=field("first_name") />
            <label for="edit-last-name">{t("Last name")}</label>
            <input id="edit-last-name" type="text" required prop:value=last_name on:input=move |ev| last_name.set(event_target_value(&ev)) />
            <FieldMessage id="edit-last-name-error" message=field("last_name") />
            <label for="edit-language">{t("Language")}</label>
            <select id="edit-language" on:change=move |ev| language.set(event_target_value(&ev))>
                {LANGUAGES.iter().map(|(code, name)| view! { <option value=*code selected=move || language.get() == *code>{*name}</option> }).collect_view()}
            </select>
            {can_assign.then(|| view! {
                <label for="edit-role">{t("Role")}</label>
                <RoleSelect id="edit-role" roles current=user.role.clone() selected=role_id />
            })}
            {root.then(|| view! {
                <label class="inline"><input type="checkbox" prop:checked=is_admin on:change=move |ev| is_admin.set(event_target_checked(&ev)) />{t("Root admin")}</label>
            })}
            <ErrorBanner id="edit-user-error" error=error />
            <p class="status" role="status" aria-live="polite">{status}</p>
            {can_update.then(|| view! {
                <button type="submit" class="primary" disabled=move || update.pending().get()>{t("Save user")}</button>
            })}
        </form>
        <section class="card" aria-labelledby="user-actions-heading">
            <h2 id="user-actions-heading">{t("Actions")}</h2>
            <p>{format!(
                "{} {}",
                if user.two_factor { t("Two-factor: on.") } else { t("Two-factor: off.") },
                if user.locked { t("Locked after failed sign-ins.") } else { "" },
            )}</p>
            <div class="actions">
                {can_reset.then(|| view! { <button type="button" class="secondary" on:click=move |_| { reset.dispatch(SendPasswordReset { id }); }>{t("Send password reset email")}</button> })}
                {can_disable.then(|| view! { <button type="button" class="secondary" on:click=move |_| { disable.dispatch(AdminDisableTwoFactor { id }); }>{t("Disable two-factor")}</button> })}
                {can_update.then(|| view! { <button type="button" class="secondary" on:click=move |_| { unlock.dispatch(UnlockUser { id }); }>{t("Unlock")}</button> })}
                {can_impersonate.then(|| view! { <button type="button" class="secondary" on:click=move |_| { impersonate.dispatch(StartImpersonation { id }); }>{t("Impersonate")}</button> })}
                {can_delete.then(|| view! {
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! { <button type="button" class="danger" on:click=move |_| confirming.set(true)>{t("Delete user")}</button> }
                    >
                        <p role="alert">{t("Delete this user? Their sessions and two-factor data go; their activity stays.")}</p>
                        <button type="button" class="danger" node_ref=confirm_button on:click=move |_| { delete.dispatch(DeleteUser { id }); }>{t("Confirm delete")}</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t("Cancel")}</button>
                    </Show>
                })}
            </div>
        </section>
    }
}
