//! The sub-users tab of a server: the list, adding a person by email with a grouped permission
//! picker, editing a grant and removing it. The picker offers only the keys the caller holds
//! on this server; the server refuses anything else.

use super::{list_subusers, CreateSubuser, DeleteSubuser, Subuser, UpdateSubuser};
use crate::accounts::display::format_utc;
use crate::error::AppError;
use crate::i18n::format::number;
use crate::i18n::{t, tf};
use crate::permissions::ServerPermission;
use crate::roles::pages::{server_groups, PickerGroup};
use crate::servers::pages::use_server;
use crate::servers::ServerView;
use crate::shell::{ErrorBanner, FieldMessage};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// `/servers/{id}/subusers`. Needs `subusers.read`.
#[component]
pub fn SubusersTab() -> impl IntoView {
    let server = use_server();
    let create = ServerAction::<CreateSubuser>::new();
    let update = ServerAction::<UpdateSubuser>::new();
    let delete = ServerAction::<DeleteSubuser>::new();
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let list = Resource::new(
        move || {
            (
                id(),
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => list_subusers(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let editing = RwSignal::new(None::<i64>);
    let removing = RwSignal::new(None::<i64>);
    Effect::new(move || {
        if let Some(Ok(_)) = update.value().get() {
            editing.set(None);
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            removing.set(None);
        }
    });
    let actions = Actions {
        create,
        update,
        delete,
        editing,
        removing,
    };
    view! {
        <Transition fallback=|| view! { <p class="loading">{t("Loading sub-users…")}</p> }>
            {move || Suspend::new(async move {
                let list = list.await;
                match server.await {
                    Err(_) => ().into_any(),
                    Ok(server) if !server.can(ServerPermission::SubusersRead) => view! {
                        <p class="empty">{t("You do not have access to this part of the server.")}</p>
                    }.into_any(),
                    Ok(server) => subusers_view(server, list, actions),
                }
            })}
        </Transition>
    }
}

/// The actions and shared state of the tab.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateSubuser>,
    update: ServerAction<UpdateSubuser>,
    delete: ServerAction<DeleteSubuser>,
    editing: RwSignal<Option<i64>>,
    removing: RwSignal<Option<i64>>,
}

fn subusers_view(
    server: ServerView,
    list: Result<Vec<Subuser>, AppError>,
    actions: Actions,
) -> AnyView {
    let held: BTreeSet<String> = server
        .permissions
        .iter()
        .map(|p| p.key().to_owned())
        .collect();
    let can_update = server.can(ServerPermission::SubusersUpdate);
    let can_delete = server.can(ServerPermission::SubusersDelete);
    let can_create = server.can(ServerPermission::SubusersCreate);
    let Actions { update, delete, .. } = actions;
    let error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let body = match list {
        Err(error) => view! { <ErrorBanner id="subusers-load-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t("Nobody else has access to this server.")}</p> }.into_any(),
        Ok(rows) => view! {
            <ul class="subuser-list">
                {rows.into_iter().map(|subuser| view! {
                    <SubuserRow subuser server_id=server.id held=held.clone() can_update can_delete actions />
                }.into_any()).collect_view()}
            </ul>
        }.into_any(),
    };
    view! {
        <section class="card wide" aria-labelledby="subusers-heading">
            <h2 id="subusers-heading">{t("Sub-users")}</h2>
            <ErrorBanner id="subuser-error" error=error />
            {body}
        </section>
        {can_create.then(|| view! { <AddSubuser server_id=server.id held=held.clone() create=actions.create /> })}
    }
    .into_any()
}

#[component]
fn SubuserRow(
    subuser: Subuser,
    server_id: i64,
    held: BTreeSet<String>,
    can_update: bool,
    can_delete: bool,
    actions: Actions,
) -> impl IntoView {
    let Actions {
        update,
        delete,
        editing,
        removing,
        ..
    } = actions;
    let id = subuser.id;
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(
        subuser
            .permissions
            .iter()
            .map(|p| p.key().to_owned())
            .collect(),
    );
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateSubuser {
            server_id,
            subuser_id: id,
            permissions: selected.get_untracked().into_iter().collect(),
        });
    };
    let name = subuser.username.clone();
    view! {
        <li class="subuser">
            <p>
                <strong>{subuser.username.clone()}</strong>" "<span class="muted">{subuser.email.clone()}</span>
                " · "{tf("{count} permission(s)", &[("count", &number(subuser.permissions.len() as i64))])}
                " · "{tf("added {date}", &[("date", &format_utc(subuser.created_at))])}
            </p>
            <div class="actions">
                {can_update.then(|| view! { <button type="button" class="secondary" on:click=move |_| editing.set(Some(id))>{tf("Edit {username}", &[("username", &name)])}</button> })}
                {can_delete.then(|| view! { <button type="button" class="danger" on:click=move |_| removing.set(Some(id))>{t("Remove")}</button> })}
            </div>
            <Show when=move || removing.get() == Some(id)>
                <p role="alert">{tf("Remove {username}? They lose access to this server at once.", &[("username", &subuser.username)])}</p>
                <button type="button" class="danger" node_ref=confirm_button on:click=move |_| { delete.dispatch(DeleteSubuser { server_id, subuser_id: id }); }>{t("Confirm removal")}</button>
                <button type="button" class="secondary" on:click=move |_| removing.set(None)>{t("Cancel")}</button>
            </Show>
            {
                let held = held.clone();
                move || (editing.get() == Some(id)).then(|| {
                    let held = held.clone();
                    view! {
                        <form class="form" on:submit=save>
                            {server_groups().into_iter().map(|(group, keys)| view! {
                                <PickerGroup id=format!("edit-{id}") title=group keys selected grantable=held.clone() />
                            }).collect_view()}
                            <button type="submit" class="primary" disabled=update.pending()>{t("Save permissions")}</button>
                            <button type="button" class="secondary" on:click=move |_| editing.set(None)>{t("Cancel")}</button>
                        </form>
                    }
                })
            }
        </li>
    }
    .into_any()
}

#[component]
fn AddSubuser(
    server_id: i64,
    held: BTreeSet<String>,
    create: ServerAction<CreateSubuser>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            email.set(String::new());
            selected.set(BTreeSet::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateSubuser {
            server_id,
            email: email.get_untracked(),
            permissions: selected.get_untracked().into_iter().collect(),
        });
    };
    view! {
        <form class="form card wide" on:submit=submit aria-labelledby="add-subuser-heading">
            <h2 id="add-subuser-heading">{t("Add sub-user")}</h2>
            <label for="subuser-email">{t("Email address")}</label>
            <input id="subuser-email" type="email" required maxlength="254" autocomplete="off" prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
            <p class="muted">{t("Someone without an account gets one, with an email to set their password.")}</p>
            <FieldMessage id="subuser-email-error" message=field("email") />
            {server_groups().into_iter().map(|(group, keys)| view! {
                <PickerGroup id="new-subuser" title=group keys selected grantable=held.clone() />
            }).collect_view()}
            <FieldMessage id="subuser-permissions-error" message=field("permissions") />
            <ErrorBanner id="add-subuser-error" error=error />
            <p class="status" role="status" aria-live="polite">
                {move || create.value().get().and_then(Result::ok).map(|s| tf("{username} was added.", &[("username", &s.username)]))}
            </p>
            <button type="submit" class="primary" disabled=create.pending()>{t("Add sub-user")}</button>
        </form>
    }
}
