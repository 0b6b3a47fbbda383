//! The server pages of the admin area: the list with a name filter, and the editor for a new
//! or an existing server with its suspend, transfer and delete actions.

use super::admin::{
    admin_get_server, admin_list_servers, server_choices, AdminServer, CreateServer, DeleteServer,
    EggChoice, FreeAllocation, NodeChoice, ServerFormChoices, ServerInput, SetServerSuspended,
    TransferServer, UpdateServer,
};
use crate::accounts::display::format_utc;
use crate::i18n::format::number as show_number;
use crate::i18n::{t, tf};
use crate::permissions::AdminPermission;
use crate::shell::{hard_navigate, use_signed_in_user, DeleteSection, ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

fn can(key: AdminPermission) -> bool {
    use_signed_in_user().is_some_and(|me| me.can(key))
}

/// A number typed into a form; text that is no number becomes a value every check refuses, so
/// the server answers with the field's range instead of a silent zero.
fn number(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(i64::MIN)
}

/// `/admin/servers`: every server, filtered by name, 50 a page.
#[component]
pub fn AdminServersPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || query_map.read().get("q").unwrap_or_default();
    let after = move || {
        query_map
            .read()
            .get("after")
            .and_then(|after| after.parse::<i64>().ok())
    };
    let page = Resource::new(
        move || (query(), after()),
        |(q, after)| admin_list_servers(Some(q), after),
    );
    view! {
        <h1>{t("Servers")}</h1>
        <p><A href="/admin">{t("Administration")}</A></p>
        {can(AdminPermission::ServersCreate).then(|| view! {
            <p><A href="/admin/servers/new" attr:class="button primary">{t("New server")}</A></p>
        })}
        <form method="get" action="/admin/servers" class="search" role="search">
            <label for="server-search">{t("Filter by name")}</label>
            <input id="server-search" name="q" type="search" prop:value=query />
            <button type="submit" class="secondary">{t("Filter")}</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">{t("Loading servers…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorBanner id="servers-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t("No servers found.")}</p> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table>
                                <caption class="visually-hidden">{t("Servers")}</caption>
                                <thead><tr>
                                    <th scope="col">{t("Name")}</th>
                                    <th scope="col">{t("Owner")}</th>
                                    <th scope="col">{t("Node")}</th>
                                    <th scope="col">{t("Address")}</th>
                                </tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|server| view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/admin/servers/{}", server.id)>{server.name}</a>
                                                {server.suspended.then(|| view! { <span class="badge">{t("Suspended")}</span> })}
                                            </td>
                                            <td>{server.owner}</td>
                                            <td>{server.node}</td>
                                            <td>{server.address}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {page.next_after.map(|next| view! {
                            <p><a href=move || format!("/admin/servers?q={}&after={}", encode_query(&query()), next)>{t("Next page")}</a></p>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Percent-encodes a query value, so a filter with `&` or `#` survives the next-page link.
pub(crate) fn encode_query(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `/admin/servers/new` and `/admin/servers/{id}`.
#[component]
pub fn AdminServerEditorPage() -> impl IntoView {
    let params = use_params_map();
    let server_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let server = Resource::new(server_id, |id| async move {
        match id {
            Some(id) => admin_get_server(id).await.map(Some),
            None => Ok(None),
        }
    });
    let choices = Resource::new(|| (), |_| server_choices());
    view! {
        <p><A href="/admin/servers">{t("All servers")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match (server.await, choices.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorBanner id="server-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    (Ok(server), Ok(choices)) => view! { <ServerForm server choices /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ServerForm(server: Option<AdminServer>, choices: ServerFormChoices) -> impl IntoView {
    let editing = server.is_some();
    let can_save = can(if editing {
        AdminPermission::ServersUpdate
    } else {
        AdminPermission::ServersCreate
    });
    // On an existing server the address and the variables (and so the egg) have keys of
    // their own.
    let can_allocation = can_save && (!editing || can(AdminPermission::ServersAllocations));
    let can_variables = can_save && (!editing || can(AdminPermission::ServersVariables));

    let id = server.as_ref().map(|s| s.id);
    let ServerFormChoices {
        nodes,
        eggs,
        backup_configurations,
    } = choices;
    let nodes = StoredValue::new(nodes);
    let eggs = StoredValue::new(eggs);

    let heading = RwSignal::new(server.as_ref().map(|s| s.name.clone()));
    let name = RwSignal::new(server.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.description.clone())
            .unwrap_or_default(),
    );
    let owner = RwSignal::new(server.as_ref().map(|s| s.owner.clone()).unwrap_or_default());
    let node_id = RwSignal::new(server.as_ref().map(|s| s.node_id));
    let allocation_id = RwSignal::new(server.as_ref().map(|s| s.allocation_id));
    // Addresses of this server that the choices (free addresses only) do not list: the current
    // one, and one given up by a save here, which is free again.
    let own_allocations = RwSignal::new(
        server
            .as_ref()
            .map(|s| {
                vec![(
                    s.node_id,
                    FreeAllocation {
                        id: s.allocation_id,
                        address: s.address.clone(),
                    },
                )]
            })
            .unwrap_or_default(),
    );
    let egg_id = RwSignal::new(server.as_ref().map(|s| s.egg_id));
    let docker_image = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.docker_image.clone())
            .unwrap_or_default(),
    );
    // Values typed for any egg stay here, so switching eggs back and forth loses nothing; only
    // the chosen egg's variables are sent.
    let values = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.variables.clone())
            .unwrap_or_default(),
    );
    let memory_mb = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.memory_mb.to_string())
            .unwrap_or_else(|| "1024".into()),
    );
    let disk_mb = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.disk_mb.to_string())
            .unwrap_or_else(|| "5120".into()),
    );
    let cpu_percent = RwSignal::new(
        server
            .as_ref()
            .map(|s| s.cpu_percent.to_string())
            .unwrap_or_else(|| "100".into()),
    );
    let backup_id = RwSignal::new(server.as_ref().and_then(|s| s.backup_configuration_id));

    let egg = move || {
        let wanted = egg_id.get();
        eggs.with_value(|eggs| eggs.iter().find(|e| Some(e.id) == wanted).cloned())
    };
    let allocations = move || {
        let Some(node) = node_id.get() else {
            return Vec::new();
        };
        let mut list: Vec<FreeAllocation> = own_allocations
            .get()
            .into_iter()
            .filter(|(on, _)| *on == node)
            .map(|(_, allocation)| allocation)
            .collect();
        nodes.with_value(|nodes| {
            if let Some(choice) = nodes.iter().find(|n| n.id == node) {
                for free in &choice.free {
                    if !list.iter().any(|a| a.id == free.id) {
                        list.push(free.clone());
                    }
                }
            }
        });
        list
    };
    let images = move || {
        let mut list = egg().map(|e| e.docker_images).unwrap_or_default();
        let current = docker_image.get();
        if !current.is_empty() && !list.contains(&current) {
            list.push(current);
        }
        list
    };

    let create = ServerAction::<CreateServer>::new();
    let update = ServerAction::<UpdateServer>::new();
    let input = move || {
        let values = values.get();
        let variables: BTreeMap<String, String> = egg()
            .map(|egg| {
                egg.variables
                    .iter()
                    .map(|v| {
                        let value = values
                            .get(&v.env_name)
                            .cloned()
                            .unwrap_or_else(|| v.default.clone());
                        (v.env_name.clone(), value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        ServerInput {
            name: name.get(),
            description: description.get(),
            owner: owner.get(),
            node_id: node_id.get().unwrap_or(0),
            allocation_id: allocation_id.get().unwrap_or(0),
            egg_id: egg_id.get().unwrap_or(0),
            docker_image: docker_image.get(),
            variables,
            memory_mb: number(&memory_mb.get()),
            disk_mb: number(&disk_mb.get()),
            cpu_percent: number(&cpu_percent.get()),
            backup_configuration_id: backup_id.get(),
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id {
            Some(id) => {
                update.dispatch(UpdateServer { id, input: input() });
            }
            None => {
                create.dispatch(CreateServer { input: input() });
            }
        }
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = create.value().get() {
            hard_navigate(&format!("/admin/servers/{}", saved.id));
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            heading.set(Some(saved.name.clone()));
            owner.set(saved.owner.clone());
            let kept = FreeAllocation {
                id: saved.allocation_id,
                address: saved.address.clone(),
            };
            own_allocations.update(|own| {
                if !own.iter().any(|(_, a)| a.id == kept.id) {
                    own.push((saved.node_id, kept));
                }
            });
        }
    });
    let save_error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| update.value().get().and_then(Result::err))
    });
    let field = move |f: &'static str| {
        Signal::derive(move || save_error.get().and_then(|e| e.field_message(f)))
    };
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());

    let nests: Vec<(String, Vec<(i64, String)>)> = eggs.with_value(|eggs| {
        let mut groups: Vec<(String, Vec<(i64, String)>)> = Vec::new();
        for egg in eggs {
            let entry = (egg.id, egg.name.clone());
            match groups.iter_mut().find(|(nest, _)| *nest == egg.nest) {
                Some((_, list)) => list.push(entry),
                None => groups.push((egg.nest.clone(), vec![entry])),
            }
        }
        groups
    });
    let node_options: Vec<NodeChoice> = nodes.get_value();
    let on_egg_change = move |ev: leptos::ev::Event| {
        let chosen: Option<i64> = event_target_value(&ev).parse().ok();
        egg_id.set(chosen);
        let first = eggs.with_value(|eggs| {
            eggs.iter()
                .find(|e| Some(e.id) == chosen)
                .and_then(|e| e.docker_images.first().cloned())
        });
        docker_image.set(first.unwrap_or_default());
    };

    view! {
        <h1>{move || match heading.get() {
            Some(name) => tf("Server {name}", &[("name", &name)]),
            None => t("New server").to_owned(),
        }}</h1>
        {id.map(|id| view! { <p><a href=format!("/servers/{id}")>{t("Open the server's own page")}</a></p> })}
        {view! { <form class="form card wide" on:submit=save>
            {view! {
            <h2>{t("Details")}</h2>
            <label for="server-name">{t("Name")}</label>
            <input id="server-name" type="text" required disabled=!can_save aria-describedby="server-name-error" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="server-name-error" message=field("name") />
            <label for="server-description">{t("Description")}</label>
            <textarea id="server-description" disabled=!can_save aria-describedby="server-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="server-description-error" message=field("description") />
            <label for="server-owner">{t("Owner")}</label>
            <input id="server-owner" type="text" required autocomplete="off" disabled=!can_save aria-describedby="server-owner-hint server-owner-error" prop:value=owner on:input=move |ev| owner.set(event_target_value(&ev)) />
            <p id="server-owner-hint" class="muted">{t("The owner's username or email address.")}</p>
            <FieldMessage id="server-owner-error" message=field("owner") />

            }.into_any()}
            {view! {
            <h2>{t("Node and address")}</h2>
            <label for="server-node">{t("Node")}</label>
            <select id="server-node" required disabled=editing || !can_save aria-describedby="server-node-hint server-node-error" on:change=move |ev| {
                node_id.set(event_target_value(&ev).parse().ok());
                allocation_id.set(None);
            }>
                <option value="" selected=move || node_id.get().is_none()>{t("Choose a node")}</option>
                {node_options.into_iter().map(|node| {
                    let node_key = node.id;
                    let label = if node.maintenance {
                        tf("{name} (maintenance)", &[("name", &node.name)])
                    } else {
                        tf("{name} ({count} free address(es))", &[("name", &node.name), ("count", &show_number(node.free.len() as i64))])
                    };
                    view! {
                        <option value=node_key.to_string() disabled=!editing && node.maintenance selected=move || node_id.get() == Some(node_key)>{label}</option>
                    }
                }).collect_view()}
            </select>
            <p id="server-node-hint" class="muted">{if editing {
                t("A server moves to another node with a transfer, below.")
            } else {
                t("Nodes in maintenance take no new servers.")
            }}</p>
            <FieldMessage id="server-node-error" message=field("node_id") />
            <label for="server-allocation">{t("Address")}</label>
            <select id="server-allocation" required disabled=move || !can_allocation || node_id.get().is_none() aria-describedby="server-allocation-hint server-allocation-error" on:change=move |ev| allocation_id.set(event_target_value(&ev).parse().ok())>
                <option value="" selected=move || allocation_id.get().is_none()>{t("Choose an address")}</option>
                {move || allocations().into_iter().map(|allocation| {
                    let allocation_key = allocation.id;
                    view! {
                        <option value=allocation_key.to_string() selected=move || allocation_id.get() == Some(allocation_key)>{allocation.address}</option>
                    }
                }).collect_view()}
            </select>
            <p id="server-allocation-hint" class="muted">{move || {
                if node_id.get().is_none() {
                    t("Choose a node first.").to_owned()
                } else if allocations().is_empty() {
                    t("This node has no free address. Add allocations on the node's page.").to_owned()
                } else if !can_allocation {
                    tf("Changing the address needs the {permission} permission.", &[("permission", &"servers.allocations")])
                } else {
                    t("Only free addresses on the node are offered.").to_owned()
                }
            }}</p>
            <FieldMessage id="server-allocation-error" message=field("allocation_id") />

            }.into_any()}
            {view! {
            <h2>{t("Egg and startup")}</h2>
            <label for="server-egg">{t("Egg")}</label>
            <select id="server-egg" required disabled=!can_variables aria-describedby="server-egg-error" on:change=on_egg_change>
                <option value="" selected=move || egg_id.get().is_none()>{t("Choose an egg")}</option>
                {nests.into_iter().map(|(nest, list)| view! {
                    <optgroup label=nest>
                        {list.into_iter().map(|(egg_key, egg_name)| view! {
                            <option value=egg_key.to_string() selected=move || egg_id.get() == Some(egg_key)>{egg_name}</option>
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            {(!can_variables).then(|| view! { <p class="muted">{tf("Changing the egg or the variables needs the {permission} permission.", &[("permission", &"servers.variables")])}</p> })}
            <FieldMessage id="server-egg-error" message=field("egg_id") />
            <label for="server-image">{t("Docker image")}</label>
            <select id="server-image" required disabled=move || !can_save || egg_id.get().is_none() aria-describedby="server-image-error" on:change=move |ev| docker_image.set(event_target_value(&ev))>
                <option value="" selected=move || docker_image.get().is_empty()>{t("Choose an image")}</option>
                {move || images().into_iter().map(|image| {
                    let value = image.clone();
                    let chosen = image.clone();
                    view! { <option value=value selected=move || docker_image.get() == chosen>{image}</option> }
                }).collect_view()}
            </select>
            <FieldMessage id="server-image-error" message=field("docker_image") />
            {move || egg().map(|egg| view! { <EggVariableInputs egg values disabled=!can_variables error=save_error /> })}
            <FieldMessage id="server-variables-error" message=field("variables") />

            }.into_any()}
            {view! {
            <h2>{t("Limits")}</h2>
            <label for="server-memory">{t("Memory (MiB)")}</label>
            <input id="server-memory" type="number" min="1" required disabled=!can_save aria-describedby="server-memory-error" prop:value=memory_mb on:input=move |ev| memory_mb.set(event_target_value(&ev)) />
            <FieldMessage id="server-memory-error" message=field("memory_mb") />
            <label for="server-disk">{t("Disk (MiB)")}</label>
            <input id="server-disk" type="number" min="1" required disabled=!can_save aria-describedby="server-disk-error" prop:value=disk_mb on:input=move |ev| disk_mb.set(event_target_value(&ev)) />
            <FieldMessage id="server-disk-error" message=field("disk_mb") />
            <label for="server-cpu">{t("CPU (%)")}</label>
            <input id="server-cpu" type="number" min="0" required disabled=!can_save aria-describedby="server-cpu-hint server-cpu-error" prop:value=cpu_percent on:input=move |ev| cpu_percent.set(event_target_value(&ev)) />
            <p id="server-cpu-hint" class="muted">{t("100 is one full core.")}</p>
            <FieldMessage id="server-cpu-error" message=field("cpu_percent") />

            }.into_any()}
            {view! {
            <h2>{t("Backups")}</h2>
            <label for="server-backup">{t("Backup configuration")}</label>
            <select id="server-backup" disabled=!can_save aria-describedby="server-backup-error" on:change=move |ev| backup_id.set(event_target_value(&ev).parse().ok())>
                <option value="" selected=move || backup_id.get().is_none()>{t("None")}</option>
                {backup_configurations.into_iter().map(|(backup_key, backup_name)| view! {
                    <option value=backup_key.to_string() selected=move || backup_id.get() == Some(backup_key)>{backup_name}</option>
                }).collect_view()}
            </select>
            <FieldMessage id="server-backup-error" message=field("backup_configuration_id") />

            }.into_any()}
            <ErrorBanner id="server-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then_some(t("Server saved."))}</p>
            {can_save.then(|| view! {
                <button type="submit" class="primary" disabled=pending>{if editing { t("Save server") } else { t("Create server") }}</button>
            })}
        </form> }.into_any()}
        {server.map(|server| view! { <ServerActions server nodes=nodes.get_value() /> }.into_any())}
    }
    .into_any()
}

/// One input per variable of the chosen egg, its rules shown as a hint.
#[component]
fn EggVariableInputs(
    egg: EggChoice,
    values: RwSignal<BTreeMap<String, String>>,
    disabled: bool,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    if egg.variables.is_empty() {
        return view! { <p class="muted">{t("This egg has no variables.")}</p> }.into_any();
    }
    view! {
        <fieldset class="variable-row">
            <legend>{t("Variables")}</legend>
            {egg.variables.into_iter().map(|variable| {
                let input_id = format!("server-variable-{}", variable.env_name);
                let hint_id = format!("{input_id}-hint");
                let error_id = format!("{input_id}-error");
                let field = format!("variables.{}", variable.env_name);
                let env = variable.env_name.clone();
                let env_for_input = variable.env_name.clone();
                let default = variable.default.clone();
                let value = move || {
                    values
                        .read()
                        .get(&env)
                        .cloned()
                        .unwrap_or_else(|| default.clone())
                };
                let mut hint = Vec::new();
                if !variable.description.is_empty() {
                    hint.push(variable.description.clone());
                }
                hint.push(tf("Environment name {name}.", &[("name", &variable.env_name)]));
                if !variable.rules.is_empty() {
                    hint.push(tf("Rules: {rules}.", &[("rules", &variable.rules)]));
                }
                if !variable.user_viewable {
                    hint.push(t("Hidden from server users.").to_owned());
                } else if variable.user_editable {
                    hint.push(t("Server users may change it.").to_owned());
                }
                view! {
                    <label for=input_id.clone()>{variable.name}</label>
                    <input id=input_id type="text" disabled=disabled aria-describedby=format!("{hint_id} {error_id}") prop:value=value on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        values.update(|map| { map.insert(env_for_input.clone(), typed); });
                    } />
                    <p id=hint_id class="muted">{hint.join(" ")}</p>
                    <FieldMessage id=error_id message=Signal::derive(move || error.get().and_then(|e| e.field_message(&field))) />
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

/// Suspend, transfer and delete of an existing server.
#[component]
fn ServerActions(server: AdminServer, nodes: Vec<NodeChoice>) -> impl IntoView {
    let (can_suspend, can_transfer, can_delete) = (
        can(AdminPermission::ServersSuspend),
        can(AdminPermission::ServersTransfer),
        can(AdminPermission::ServersDelete),
    );
    let id = server.id;
    let current_node = server.node_id;
    let suspended = RwSignal::new(server.suspended);
    let transfers = RwSignal::new(server.transfers);
    let suspend = ServerAction::<SetServerSuspended>::new();
    let transfer = ServerAction::<TransferServer>::new();
    let delete = ServerAction::<DeleteServer>::new();
    let transfer_to = RwSignal::new(None::<i64>);
    let confirming = RwSignal::new(false);
    Effect::new(move || {
        if let Some(Ok(saved)) = suspend.value().get() {
            suspended.set(saved.suspended);
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = transfer.value().get() {
            transfers.set(saved.transfers);
            transfer_to.set(None);
        }
    });
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => hard_navigate("/admin/servers"),
        Some(Err(_)) => confirming.set(false),
        None => {}
    });
    let suspend_error = Signal::derive(move || suspend.value().get().and_then(Result::err));
    let transfer_error = Signal::derive(move || transfer.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let transfer_field = Signal::derive(move || {
        transfer_error
            .get()
            .and_then(|e| e.field_message("node_id"))
    });
    let targets: Vec<NodeChoice> = nodes
        .into_iter()
        .filter(|node| node.id != current_node)
        .collect();
    view! {
        {can_suspend.then(|| view! {
            <section class="card" aria-labelledby="server-suspend-heading">
                <h2 id="server-suspend-heading">{t("Suspension")}</h2>
                <p>{move || if suspended.get() {
                    t("This server is suspended: its users cannot start or use it.")
                } else {
                    t("This server is not suspended.")
                }}</p>
                <button type="button" class="secondary" disabled=move || suspend.pending().get() on:click=move |_| {
                    suspend.dispatch(SetServerSuspended { id, suspended: !suspended.get_untracked() });
                }>{move || if suspended.get() { t("Unsuspend server") } else { t("Suspend server") }}</button>
                <ErrorBanner id="server-suspend-error" error=suspend_error />
            </section>
        })}
        <section class="card" aria-labelledby="server-transfer-heading">
            <h2 id="server-transfer-heading">{t("Transfer")}</h2>
            <p class="muted">{tf("The server is on {node}. A transfer is a request that the daemons carry out.", &[("node", &server.node)])}</p>
            {can_transfer.then(|| view! {
                <div class="form">
                    <label for="server-transfer-node">{t("Move to node")}</label>
                    <select id="server-transfer-node" aria-describedby="server-transfer-node-error" on:change=move |ev| transfer_to.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || transfer_to.get().is_none()>{t("Choose a node")}</option>
                        {targets.into_iter().map(|node| {
                            let node_key = node.id;
                            let label = if node.maintenance { tf("{name} (maintenance)", &[("name", &node.name)]) } else { node.name };
                            view! { <option value=node_key.to_string() disabled=node.maintenance selected=move || transfer_to.get() == Some(node_key)>{label}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage id="server-transfer-node-error" message=transfer_field />
                    <ErrorBanner id="server-transfer-error" error=Signal::derive(move || transfer_error.get().filter(|e| e.field_message("node_id").is_none())) />
                    <p class="status" role="status" aria-live="polite">{move || matches!(transfer.value().get(), Some(Ok(_))).then_some(t("Transfer requested."))}</p>
                    <div class="actions">
                        <button type="button" class="secondary" disabled=move || transfer_to.get().is_none() || transfer.pending().get() on:click=move |_| {
                            if let Some(node_id) = transfer_to.get_untracked() {
                                transfer.dispatch(TransferServer { id, node_id });
                            }
                        }>{t("Request transfer")}</button>
                    </div>
                </div>
            })}
            <h3>{t("Requested transfers")}</h3>
            {move || {
                let list = transfers.get();
                if list.is_empty() {
                    view! { <p class="empty">{t("No transfers requested.")}</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {list.into_iter().map(|(node, at)| view! { <li>{tf("To {node}, requested {time}", &[("node", &node), ("time", &format_utc(at))])}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
        {can_delete.then(|| view! {
            <DeleteSection id="server" title=t("Delete server") note=t("Its sub-users go with it, and its address becomes free.") question=t("Delete this server? This cannot be undone.") confirming=confirming pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteServer { id }); } error=delete_error />
        })}
    }
    .into_any()
}
