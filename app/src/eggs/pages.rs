//! The nest and egg pages of the admin area: nests with their eggs, one nest's page, and the
//! egg editor with its startup variables.

use super::variables::{check_env_name, Rules};
use super::{
    get_egg, list_nests, CreateEgg, CreateNest, DeleteEgg, DeleteNest, Egg, EggInput, EggVariable,
    MoveEgg, Nest, NestInput, UpdateEgg, UpdateNest,
};
use crate::i18n::{format::number, t, tf};
use crate::permissions::AdminPermission;
use crate::shell::{hard_navigate, use_signed_in_user, DeleteSection, ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

fn can(key: AdminPermission) -> bool {
    use_signed_in_user().is_some_and(|me| me.can(key))
}

/// `/admin/nests`: every nest with its eggs, and a form to add a nest.
#[component]
pub fn NestsPage() -> impl IntoView {
    let can_create = can(AdminPermission::NestsCreate);
    let create = ServerAction::<CreateNest>::new();
    let nests = Resource::new(move || create.version().get(), |_| list_nests());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateNest {
            input: NestInput {
                name: name.get(),
                description: description.get(),
            },
        });
    };
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            description.set(String::new());
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let status = move || match create.value().get() {
        Some(Ok(nest)) => Some(tf("Nest {name} created.", &[("name", &nest.name)])),
        _ => None,
    };
    view! {
        <h1>{t("Nests and eggs")}</h1>
        <p><A href="/admin">{t("Administration")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading nests…")}</p> }>
            {move || Suspend::new(async move {
                match nests.await {
                    Err(error) => view! { <ErrorBanner id="nests-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t("No nests yet.")}</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|nest| view! { <NestCard nest /> }).collect_view().into_any(),
                }
            })}
        </Transition>
        {can_create.then(|| view! {
            <form class="form card" on:submit=submit aria-labelledby="new-nest-heading">
                <h2 id="new-nest-heading">{t("New nest")}</h2>
                <label for="new-nest-name">{t("Name")}</label>
                <input id="new-nest-name" type="text" required maxlength="100" aria-describedby="new-nest-name-error" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <FieldMessage id="new-nest-name-error" message=field("name") />
                <label for="new-nest-description">{t("Description")}</label>
                <textarea id="new-nest-description" maxlength="1000" aria-describedby="new-nest-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <FieldMessage id="new-nest-description-error" message=field("description") />
                <ErrorBanner id="new-nest-error" error=error />
                <p class="status" role="status" aria-live="polite">{status}</p>
                <button type="submit" class="primary" disabled=move || create.pending().get()>{t("Create nest")}</button>
            </form>
        })}
    }
}

#[component]
fn NestCard(nest: Nest) -> impl IntoView {
    let heading = format!("nest-{}-heading", nest.id);
    let labelledby = heading.clone();
    let can_edit = can(AdminPermission::NestsUpdate) || can(AdminPermission::NestsDelete);
    let can_new_egg = can(AdminPermission::EggsCreate);
    let can_read_eggs = can(AdminPermission::EggsRead);
    let nest_id = nest.id;
    view! {
        <section class="card wide" aria-labelledby=labelledby>
            <h2 id=heading>{nest.name.clone()}</h2>
            {(!nest.description.is_empty()).then(|| view! { <p class="muted">{nest.description.clone()}</p> })}
            {if nest.eggs.is_empty() {
                view! { <p class="empty">{t("No eggs in this nest.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption class="visually-hidden">{tf("Eggs in {nest}", &[("nest", &nest.name)])}</caption>
                            <thead><tr>
                                <th scope="col">{t("Egg")}</th>
                                <th scope="col">{t("Servers")}</th>
                            </tr></thead>
                            <tbody>
                                {nest.eggs.into_iter().map(|egg| view! {
                                    <tr>
                                        <td>{if can_read_eggs {
                                            view! { <a href=format!("/admin/eggs/{}", egg.id)>{egg.name}</a> }.into_any()
                                        } else {
                                            view! { <span>{egg.name}</span> }.into_any()
                                        }}</td>
                                        <td>{number(egg.servers)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <div class="actions">
                {can_new_egg.then(|| view! { <a class="button" href=format!("/admin/eggs/new?nest={nest_id}")>{t("New egg in this nest")}</a> })}
                {can_edit.then(|| view! { <a class="button" href=format!("/admin/nests/{nest_id}")>{t("Edit nest")}</a> })}
            </div>
        </section>
    }
}

/// `/admin/nests/{id}`: change or delete one nest.
#[component]
pub fn NestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let nests = Resource::new(|| (), |_| list_nests());
    view! {
        <p><A href="/admin/nests">{t("All nests")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                let id = id();
                match nests.await.map(|list| list.into_iter().find(|nest| nest.id == id)) {
                    Err(error) => view! { <ErrorBanner id="nest-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(None) => view! { <ErrorBanner id="nest-error" error=Signal::derive(|| Some(crate::error::AppError::NotFound)) /> }.into_any(),
                    Ok(Some(nest)) => view! { <NestForm nest /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NestForm(nest: Nest) -> impl IntoView {
    let (can_update, can_delete) = (
        can(AdminPermission::NestsUpdate),
        can(AdminPermission::NestsDelete),
    );
    let id = nest.id;
    let egg_count = nest.eggs.len();
    let heading = RwSignal::new(nest.name.clone());
    let name = RwSignal::new(nest.name);
    let description = RwSignal::new(nest.description);
    let update = ServerAction::<UpdateNest>::new();
    let delete = ServerAction::<DeleteNest>::new();
    let confirming = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateNest {
            id,
            input: NestInput {
                name: name.get(),
                description: description.get(),
            },
        });
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            heading.set(saved.name);
        }
    });
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => hard_navigate("/admin/nests"),
        Some(Err(_)) => confirming.set(false),
        None => {}
    });
    let save_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let field = move |f: &'static str| {
        Signal::derive(move || save_error.get().and_then(|e| e.field_message(f)))
    };
    view! {
        <h1>{move || tf("Nest {name}", &[("name", &heading.get())])}</h1>
        <p class="muted">{tf("{count} egg(s) in this nest.", &[("count", &number(egg_count as i64))])}</p>
        <form class="form card" on:submit=submit>
            <label for="nest-name">{t("Name")}</label>
            <input id="nest-name" type="text" required maxlength="100" disabled=!can_update aria-describedby="nest-name-error" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="nest-name-error" message=field("name") />
            <label for="nest-description">{t("Description")}</label>
            <textarea id="nest-description" maxlength="1000" disabled=!can_update aria-describedby="nest-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="nest-description-error" message=field("description") />
            <ErrorBanner id="nest-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then(|| t("Nest saved."))}</p>
            {can_update.then(|| view! {
                <button type="submit" class="primary" disabled=move || update.pending().get()>{t("Save nest")}</button>
            })}
        </form>
        {can_delete.then(|| view! {
            <DeleteSection id="nest" title=t("Delete nest") note=t("Only a nest without eggs can be deleted.") question=t("Delete this nest? This cannot be undone.") confirming=confirming pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteNest { id }); } error=delete_error />
        })}
    }
}

/// `/admin/eggs/new?nest={id}` and `/admin/eggs/{id}`.
#[component]
pub fn EggEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let egg_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let nest_param = move || {
        query
            .read()
            .get("nest")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let egg = Resource::new(egg_id, |id| async move {
        match id {
            Some(id) => get_egg(id).await.map(Some),
            None => Ok(None),
        }
    });
    // The nests name the egg's nest and fill the nest choices; without `nests.read` the form
    // still works with the nest it was opened for.
    let nests = Resource::new(|| (), |_| list_nests());
    view! {
        <p><A href="/admin/nests">{t("All nests and eggs")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                let nests = nests.await.unwrap_or_default();
                match egg.await {
                    Err(error) => view! { <ErrorBanner id="egg-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(egg) => view! { <EggForm egg nests nest_param=nest_param() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One editable variable row; `key` stays the same while the row lives.
#[derive(Clone, Copy)]
struct VariableRow {
    key: u64,
    /// Added in this visit with "Add variable": its first input takes the focus.
    fresh: bool,
    name: RwSignal<String>,
    env_name: RwSignal<String>,
    default: RwSignal<String>,
    user_viewable: RwSignal<bool>,
    user_editable: RwSignal<bool>,
    rules: RwSignal<String>,
    description: RwSignal<String>,
}

impl VariableRow {
    fn new(key: u64, variable: EggVariable) -> Self {
        Self {
            key,
            fresh: false,
            name: RwSignal::new(variable.name),
            env_name: RwSignal::new(variable.env_name),
            default: RwSignal::new(variable.default),
            user_viewable: RwSignal::new(variable.user_viewable),
            user_editable: RwSignal::new(variable.user_editable),
            rules: RwSignal::new(variable.rules),
            description: RwSignal::new(variable.description),
        }
    }

    fn value(&self) -> EggVariable {
        EggVariable {
            name: self.name.get(),
            description: self.description.get(),
            env_name: self.env_name.get(),
            default: self.default.get(),
            user_viewable: self.user_viewable.get(),
            user_editable: self.user_editable.get(),
            rules: self.rules.get(),
        }
    }
}

fn empty_variable() -> EggVariable {
    EggVariable {
        name: String::new(),
        description: String::new(),
        env_name: String::new(),
        default: String::new(),
        user_viewable: true,
        user_editable: false,
        rules: "required|string|max:64".into(),
    }
}

#[component]
fn EggForm(egg: Option<Egg>, nests: Vec<Nest>, nest_param: Option<i64>) -> impl IntoView {
    let can_save = can(if egg.is_some() {
        AdminPermission::EggsUpdate
    } else {
        AdminPermission::EggsCreate
    });
    let can_variables = can_save && can(AdminPermission::EggsVariables);
    let can_script = can_save && can(AdminPermission::EggsInstallScript);
    let can_move = can(AdminPermission::EggsMove);
    let can_delete = can(AdminPermission::EggsDelete);

    let id = egg.as_ref().map(|e| e.id);
    let servers = egg.as_ref().map_or(0, |e| e.servers);
    let nest_choices: Vec<(i64, String)> = nests.iter().map(|n| (n.id, n.name.clone())).collect();
    let nest_id = RwSignal::new(
        egg.as_ref()
            .map(|e| e.nest_id)
            .or(nest_param)
            .or_else(|| nest_choices.first().map(|(id, _)| *id)),
    );
    let nest_name = {
        let choices = nest_choices.clone();
        move || {
            nest_id.get().map(|id| {
                choices
                    .iter()
                    .find(|(nest, _)| *nest == id)
                    .map(|(_, name)| name.clone())
                    .unwrap_or_else(|| tf("Nest {name}", &[("name", &id)]))
            })
        }
    };
    let heading = RwSignal::new(egg.as_ref().map(|e| e.name.clone()));
    let name = RwSignal::new(egg.as_ref().map(|e| e.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        egg.as_ref()
            .map(|e| e.description.clone())
            .unwrap_or_default(),
    );
    let docker_images = RwSignal::new(
        egg.as_ref()
            .map(|e| e.docker_images.join("\n"))
            .unwrap_or_default(),
    );
    let startup = RwSignal::new(egg.as_ref().map(|e| e.startup.clone()).unwrap_or_default());
    let install_script = RwSignal::new(
        egg.as_ref()
            .map(|e| e.install_script.clone())
            .unwrap_or_default(),
    );
    let next_key = StoredValue::new(0u64);
    let new_row = move |variable: EggVariable| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        VariableRow::new(key, variable)
    };
    let rows = RwSignal::new(
        egg.map(|e| e.variables)
            .unwrap_or_default()
            .into_iter()
            .map(new_row)
            .collect::<Vec<_>>(),
    );

    let create = ServerAction::<CreateEgg>::new();
    let update = ServerAction::<UpdateEgg>::new();
    let move_action = ServerAction::<MoveEgg>::new();
    let delete = ServerAction::<DeleteEgg>::new();
    let confirming = RwSignal::new(false);
    let move_to = RwSignal::new(None::<i64>);

    let input = move || EggInput {
        nest_id: nest_id.get().unwrap_or(0),
        name: name.get(),
        description: description.get(),
        docker_images: docker_images
            .get()
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect(),
        startup: startup.get(),
        install_script: install_script.get(),
        variables: rows.get().iter().map(VariableRow::value).collect(),
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id {
            Some(id) => {
                update.dispatch(UpdateEgg { id, input: input() });
            }
            None => {
                create.dispatch(CreateEgg { input: input() });
            }
        }
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = create.value().get() {
            hard_navigate(&format!("/admin/eggs/{}", saved.id));
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            heading.set(Some(saved.name));
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = move_action.value().get() {
            nest_id.set(Some(saved.nest_id));
            move_to.set(None);
        }
    });
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => hard_navigate("/admin/nests"),
        Some(Err(_)) => confirming.set(false),
        None => {}
    });
    let save_error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| update.value().get().and_then(Result::err))
    });
    let move_error = Signal::derive(move || move_action.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let field = move |f: &'static str| {
        Signal::derive(move || save_error.get().and_then(|e| e.field_message(f)))
    };
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let moved = move || {
        matches!(move_action.value().get(), Some(Ok(_))).then(|| t("The egg is in its new nest."))
    };
    let other_nests = {
        let choices = nest_choices.clone();
        move || {
            let current = nest_id.get();
            choices
                .iter()
                .filter(|(id, _)| Some(*id) != current)
                .cloned()
                .collect::<Vec<_>>()
        }
    };

    view! {
        <h1>{move || match heading.get() {
            Some(name) => tf("Egg {name}", &[("name", &name)]),
            None => t("New egg").to_owned(),
        }}</h1>
        {id.map(|_| view! {
            <p class="muted">{move || tf("In nest {nest}. Used by {count} server(s).", &[("nest", &nest_name().unwrap_or_default()), ("count", &number(servers))])}</p>
        })}
        <form class="form card wide" on:submit=save>
            {id.is_none().then(|| {
                let choices = nest_choices.clone();
                view! {
                    <label for="egg-nest">{t("Nest")}</label>
                    <select id="egg-nest" required aria-describedby="egg-nest-error" on:change=move |ev| nest_id.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || nest_id.get().is_none()>{t("Choose a nest")}</option>
                        {choices.into_iter().map(|(nest, name)| view! {
                            <option value=nest.to_string() selected=move || nest_id.get() == Some(nest)>{name}</option>
                        }).collect_view()}
                        {nest_param.filter(|nest| !nest_choices.iter().any(|(id, _)| id == nest)).map(|nest| view! {
                            <option value=nest.to_string() selected=move || nest_id.get() == Some(nest)>{tf("Nest {name}", &[("name", &nest)])}</option>
                        })}
                    </select>
                    <FieldMessage id="egg-nest-error" message=field("nest_id") />
                }
            })}
            <label for="egg-name">{t("Name")}</label>
            <input id="egg-name" type="text" required maxlength="100" disabled=!can_save aria-describedby="egg-name-error" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="egg-name-error" message=field("name") />
            <label for="egg-description">{t("Description")}</label>
            <textarea id="egg-description" maxlength="1000" disabled=!can_save aria-describedby="egg-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="egg-description-error" message=field("description") />
            <label for="egg-images">{t("Docker images")}</label>
            <textarea id="egg-images" class="code" rows="4" required disabled=!can_save aria-describedby="egg-images-hint egg-images-error" prop:value=docker_images on:input=move |ev| docker_images.set(event_target_value(&ev))></textarea>
            <p id="egg-images-hint" class="muted">{t("One image per line, such as ghcr.io/example/java:21. The first is the default; at most 20.")}</p>
            <FieldMessage id="egg-images-error" message=field("docker_images") />
            <label for="egg-startup">{t("Startup command")}</label>
            <textarea id="egg-startup" class="code" rows="3" maxlength="4000" disabled=!can_save aria-describedby="egg-startup-hint egg-startup-error" prop:value=startup on:input=move |ev| startup.set(event_target_value(&ev))></textarea>
            <p id="egg-startup-hint" class="muted">{t("The command that starts the server. The variables below reach it as environment variables.")}</p>
            <FieldMessage id="egg-startup-error" message=field("startup") />
            <label for="egg-install-script">{t("Install script")}</label>
            <textarea id="egg-install-script" class="code" rows="10" disabled=!can_script aria-describedby="egg-install-script-hint egg-install-script-error" prop:value=install_script on:input=move |ev| install_script.set(event_target_value(&ev))></textarea>
            <p id="egg-install-script-hint" class="muted">{if can_script {
                t("Runs once when a server is installed.")
            } else {
                t("Runs once when a server is installed. Changing it needs the eggs.install-script permission.")
            }}</p>
            <FieldMessage id="egg-install-script-error" message=field("install_script") />

            <h2 id="egg-variables-heading">{t("Variables")}</h2>
            {(!can_variables).then(|| view! { <p class="muted">{t("Changing variables needs the eggs.variables permission.")}</p> })}
            <p class="muted">{t("Rules are written as required|integer|min:1|max:100: required or nullable, one of string, integer or boolean, min:N and max:N, and in:a,b,c.")}</p>
            <Show when=move || rows.read().is_empty()>
                <p class="empty">{t("No variables.")}</p>
            </Show>
            <For each=move || rows.get() key=|row| row.key let:row>
                <VariableFields row rows disabled=!can_variables />
            </For>
            <FieldMessage id="egg-variables-error" message=field("variables") />
            {can_variables.then(|| view! {
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| rows.update(|list| list.push(VariableRow { fresh: true, ..new_row(empty_variable()) }))>{t("Add variable")}</button>
                </div>
            })}
            <ErrorBanner id="egg-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then(|| t("Egg saved."))}</p>
            {can_save.then(|| view! {
                <button type="submit" class="primary" disabled=pending>{if id.is_some() { t("Save egg") } else { t("Create egg") }}</button>
            })}
        </form>
        {id.map(|id| view! {
            {can_move.then(|| view! {
                <section class="card" aria-labelledby="egg-move-heading">
                    <h2 id="egg-move-heading">{t("Move to nest")}</h2>
                    <div class="form">
                        <label for="egg-move-nest">{t("New nest")}</label>
                        <select id="egg-move-nest" aria-describedby="egg-move-error" on:change=move |ev| move_to.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=move || move_to.get().is_none()>{t("Choose a nest")}</option>
                            {move || other_nests().into_iter().map(|(nest, name)| view! {
                                <option value=nest.to_string() selected=move || move_to.get() == Some(nest)>{name}</option>
                            }).collect_view()}
                        </select>
                        <ErrorBanner id="egg-move-error" error=move_error />
                        <p class="status" role="status" aria-live="polite">{moved}</p>
                        <div class="actions">
                            <button type="button" class="secondary" disabled=move || move_to.get().is_none() || move_action.pending().get() on:click=move |_| {
                                if let Some(nest_id) = move_to.get_untracked() {
                                    move_action.dispatch(MoveEgg { id, nest_id });
                                }
                            }>{t("Move egg")}</button>
                        </div>
                    </div>
                </section>
            })}
            {can_delete.then(|| view! {
                <DeleteSection id="egg" title=t("Delete egg") note=t("Only an egg that no server uses can be deleted.") question=t("Delete this egg? This cannot be undone.") confirming=confirming pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteEgg { id }); } error=delete_error />
            })}
        })}
    }
}

/// The inputs of one variable, with checks of the env name and rules as they are typed.
#[component]
fn VariableFields(
    row: VariableRow,
    rows: RwSignal<Vec<VariableRow>>,
    disabled: bool,
) -> impl IntoView {
    let id = move |field: &str| format!("variable-{}-{field}", row.key);
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = name_input.get() {
            if row.fresh {
                let _ = input.focus();
            }
        }
    });
    let env_problem = move || {
        let env = row.env_name.get();
        let env = env.trim();
        if env.is_empty() {
            None
        } else {
            check_env_name(env).err()
        }
    };
    let rules_problem = move || Rules::parse(&row.rules.get()).err();
    let default_problem = move || {
        let default = row.default.get();
        if default.is_empty() {
            return None;
        }
        Rules::parse(&row.rules.get())
            .ok()
            .and_then(|rules| rules.check(&default).err())
    };
    let legend = move || {
        let name = row.name.get();
        if name.trim().is_empty() {
            t("New variable").to_owned()
        } else {
            tf("Variable {name}", &[("name", &name.trim())])
        }
    };
    // The name is shown in lower case here, as before the texts were translated.
    let remove_label = move || {
        let name = row.name.get();
        if name.trim().is_empty() {
            t("Remove new variable").to_owned()
        } else {
            tf(
                "Remove variable {name}",
                &[("name", &name.trim().to_lowercase())],
            )
        }
    };
    view! {
        <fieldset class="variable-row">
            <legend>{legend}</legend>
            <label for=id("name")>{t("Name")}</label>
            <input id=id("name") node_ref=name_input type="text" required maxlength="100" disabled=disabled prop:value=row.name on:input=move |ev| row.name.set(event_target_value(&ev)) />
            <label for=id("env")>{t("Environment name")}</label>
            <input id=id("env") type="text" class="code" required maxlength="64" disabled=disabled aria-describedby=id("env-error") prop:value=row.env_name on:input=move |ev| row.env_name.set(event_target_value(&ev)) />
            <FieldMessage id=id("env-error") message=Signal::derive(env_problem) />
            <label for=id("default")>{t("Default value")}</label>
            <input id=id("default") type="text" disabled=disabled aria-describedby=id("default-error") prop:value=row.default on:input=move |ev| row.default.set(event_target_value(&ev)) />
            <FieldMessage id=id("default-error") message=Signal::derive(default_problem) />
            <label for=id("rules")>{t("Rules")}</label>
            <input id=id("rules") type="text" class="code" disabled=disabled aria-describedby=id("rules-error") prop:value=row.rules on:input=move |ev| row.rules.set(event_target_value(&ev)) />
            <FieldMessage id=id("rules-error") message=Signal::derive(rules_problem) />
            <label for=id("description")>{t("Description")}</label>
            <textarea id=id("description") maxlength="1000" disabled=disabled prop:value=row.description on:input=move |ev| row.description.set(event_target_value(&ev))></textarea>
            <label class="inline">
                <input type="checkbox" disabled=disabled prop:checked=row.user_viewable on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    row.user_viewable.set(on);
                    if !on {
                        row.user_editable.set(false);
                    }
                } />
                {t("Server users may see it")}
            </label>
            <label class="inline">
                <input type="checkbox" disabled=move || disabled || !row.user_viewable.get() prop:checked=row.user_editable on:change=move |ev| row.user_editable.set(event_target_checked(&ev)) />
                {t("Server users may change it (only when they may see it)")}
            </label>
            {(!disabled).then(|| view! {
                <div class="actions">
                    <button type="button" class="secondary" aria-label=remove_label on:click=move |_| rows.update(|list| list.retain(|r| r.key != row.key))>{t("Remove variable")}</button>
                </div>
            })}
        </fieldset>
    }
}
