//! The node pages of the admin area: the list, the create form that shows the new daemon
//! secret once, and one node's page with its settings, maintenance switch, secret, allocations
//! and delete.

use super::{
    get_node, list_nodes, AddAllocations, Allocation, CreateNode, DeleteNode, Node, NodeInput,
    NodeSummary, RemoveAllocation, ResetNodeSecret, UpdateNode,
};
use crate::i18n::{format::number as count, t, tf};
use crate::locations::{list_locations, Location};
use crate::permissions::AdminPermission;
use crate::shell::{hard_navigate, use_signed_in_user, DeleteSection, ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// A number typed into a form; text that is no number becomes a value every check refuses, so
/// the server answers with the field's range instead of a silent zero.
fn number(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(i64::MIN)
}

/// `/admin/nodes`: every node.
#[component]
pub fn NodesPage() -> impl IntoView {
    let nodes = Resource::new(|| (), |_| list_nodes());
    view! {
        <h1>{t("Nodes")}</h1>
        <p><A href="/admin">{t("Administration")}</A></p>
        {use_signed_in_user().is_some_and(|me| me.can(AdminPermission::NodesCreate)).then(|| view! {
            <p><A href="/admin/nodes/new" attr:class="button primary">{t("New node")}</A></p>
        })}
        <Transition fallback=|| view! { <p class="loading">{t("Loading nodes…")}</p> }>
            {move || Suspend::new(async move {
                match nodes.await {
                    Err(error) => view! { <ErrorBanner id="nodes-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t("No nodes yet.")}</p> }.into_any(),
                    Ok(list) => view! { <NodeTable list /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NodeTable(list: Vec<NodeSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{t("Nodes")}</caption>
                <thead><tr>
                    <th scope="col">{t("Name")}</th>
                    <th scope="col">{t("Location")}</th>
                    <th scope="col">{t("Address")}</th>
                    <th scope="col">{t("Servers")}</th>
                    <th scope="col">{t("Allocations")}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|node| view! {
                        <tr>
                            <td>
                                <a href=format!("/admin/nodes/{}", node.id)>{node.name}</a>
                                {node.maintenance.then(|| view! { <span class="badge">{t("Maintenance")}</span> })}
                            </td>
                            <td>{node.location}</td>
                            <td>{node.fqdn}</td>
                            <td>{count(node.servers)}</td>
                            <td>{count(node.allocations)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The one-time display of a daemon secret.
#[component]
fn SecretOnce(#[prop(into)] id: String, secret: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = secret.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    let hint = format!("{id}-hint");
    view! {
        <div class="secret-once" role="alert">
            <p id=hint.clone()><strong>{t("Copy the daemon secret now: it will not be shown again.")}</strong>" "{t("The node's daemon needs it to sign in to the panel. If it is lost, generate a new one.")}</p>
            <label for=id.clone()>{t("Daemon secret")}</label>
            <input id=id type="text" readonly class="secret" aria-describedby=hint value=secret />
            <div class="actions">
                <button type="button" class="secondary" on:click=copy>{t("Copy secret")}</button>
            </div>
            <p class="status" role="status" aria-live="polite">{move || copied.get().then(|| t("Copied to the clipboard."))}</p>
        </div>
    }
}

/// The location choices for a select. A caller who may not list locations still sees the
/// node's current one.
#[component]
fn LocationSelect(
    #[prop(into)] id: String,
    locations: Vec<Location>,
    selected: RwSignal<Option<i64>>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let mut choices: Vec<(i64, String)> = locations
        .into_iter()
        .map(|l| (l.id, l.short_code))
        .collect();
    if let Some(current) = selected.get_untracked() {
        if !choices.iter().any(|(id, _)| *id == current) {
            choices.push((current, tf("Location {code}", &[("code", &current)])));
        }
    }
    let describedby = format!("{id}-error");
    view! {
        <select id=id required disabled=disabled aria-describedby=describedby on:change=move |ev| selected.set(event_target_value(&ev).parse().ok())>
            <option value="" selected=move || selected.get().is_none()>{t("Choose a location")}</option>
            {choices.into_iter().map(|(location_id, name)| view! {
                <option value=location_id.to_string() selected=move || selected.get() == Some(location_id)>{name}</option>
            }).collect_view()}
        </select>
    }
}

/// The fields of a node, shared by the create and edit forms.
#[derive(Clone, Copy)]
struct NodeFields {
    name: RwSignal<String>,
    location_id: RwSignal<Option<i64>>,
    fqdn: RwSignal<String>,
    scheme: RwSignal<String>,
    daemon_port: RwSignal<String>,
    memory_mb: RwSignal<String>,
    memory_overallocate: RwSignal<String>,
    disk_mb: RwSignal<String>,
    disk_overallocate: RwSignal<String>,
}

impl NodeFields {
    fn new(node: Option<&Node>) -> Self {
        let text = |f: fn(&Node) -> String, default: &str| {
            RwSignal::new(node.map(f).unwrap_or_else(|| default.to_owned()))
        };
        Self {
            name: text(|n| n.name.clone(), ""),
            location_id: RwSignal::new(node.map(|n| n.location_id)),
            fqdn: text(|n| n.fqdn.clone(), ""),
            scheme: text(|n| n.scheme.clone(), "https"),
            daemon_port: text(|n| n.daemon_port.to_string(), "8080"),
            memory_mb: text(|n| n.memory_mb.to_string(), ""),
            memory_overallocate: text(|n| n.memory_overallocate.to_string(), "0"),
            disk_mb: text(|n| n.disk_mb.to_string(), ""),
            disk_overallocate: text(|n| n.disk_overallocate.to_string(), "0"),
        }
    }

    fn input(&self, maintenance: bool) -> NodeInput {
        NodeInput {
            name: self.name.get(),
            location_id: self.location_id.get().unwrap_or(0),
            fqdn: self.fqdn.get(),
            scheme: self.scheme.get(),
            daemon_port: number(&self.daemon_port.get()),
            memory_mb: number(&self.memory_mb.get()),
            memory_overallocate: number(&self.memory_overallocate.get()),
            disk_mb: number(&self.disk_mb.get()),
            disk_overallocate: number(&self.disk_overallocate.get()),
            maintenance,
        }
    }
}

/// The inputs of the node form; `prefix` keeps the ids unique.
#[component]
fn NodeFieldset(
    prefix: &'static str,
    fields: NodeFields,
    locations: Vec<Location>,
    error: Signal<Option<crate::error::AppError>>,
    disabled: bool,
) -> impl IntoView {
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let id = move |name: &str| format!("{prefix}-{name}");
    let text_input = move |name: &'static str,
                           label: &'static str,
                           kind: &'static str,
                           signal: RwSignal<String>,
                           hint: Option<&'static str>| {
        let input_id = id(name);
        let error_id = format!("{input_id}-error");
        let hint_id = format!("{input_id}-hint");
        let describedby = if hint.is_some() {
            format!("{hint_id} {error_id}")
        } else {
            error_id.clone()
        };
        view! {
            <label for=input_id.clone()>{label}</label>
            <input id=input_id type=kind required disabled=disabled aria-describedby=describedby prop:value=signal on:input=move |ev| signal.set(event_target_value(&ev)) />
            {hint.map(|hint| view! { <p id=hint_id class="muted">{hint}</p> })}
            <FieldMessage id=error_id message=field(name) />
        }
    };
    view! {
        {text_input("name", t("Name"), "text", fields.name, None)}
        <label for=id("location_id")>{t("Location")}</label>
        <LocationSelect id=id("location_id") locations selected=fields.location_id disabled=disabled />
        <FieldMessage id=id("location_id-error") message=field("location_id") />
        {text_input("fqdn", t("Host name or IP address"), "text", fields.fqdn, Some(t("How the panel and browsers reach the daemon, such as node1.example.com.")))}
        <label for=id("scheme")>{t("Connection")}</label>
        <select id=id("scheme") disabled=disabled aria-describedby=id("scheme-error") on:change=move |ev| fields.scheme.set(event_target_value(&ev))>
            <option value="https" selected=move || fields.scheme.get() == "https">{t("HTTPS (encrypted)")}</option>
            <option value="http" selected=move || fields.scheme.get() == "http">{t("HTTP (not encrypted)")}</option>
        </select>
        <FieldMessage id=id("scheme-error") message=field("scheme") />
        {text_input("daemon_port", t("Daemon port"), "number", fields.daemon_port, None)}
        {text_input("memory_mb", t("Memory (MiB)"), "number", fields.memory_mb, None)}
        {text_input("memory_overallocate", t("Memory over-allocation (%)"), "number", fields.memory_overallocate, Some(t("How far servers may exceed the memory, in percent; -1 turns the check off.")))}
        {text_input("disk_mb", t("Disk (MiB)"), "number", fields.disk_mb, None)}
        {text_input("disk_overallocate", t("Disk over-allocation (%)"), "number", fields.disk_overallocate, Some(t("How far servers may exceed the disk, in percent; -1 turns the check off.")))}
    }
}

/// `/admin/nodes/new`: create a node, then show its secret once.
#[component]
pub fn NewNodePage() -> impl IntoView {
    let locations = Resource::new(|| (), |_| list_locations());
    view! {
        <h1>{t("New node")}</h1>
        <p><A href="/admin/nodes">{t("All nodes")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match locations.await {
                    Err(error) => view! { <ErrorBanner id="locations-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">{t("A node needs a location.")}" "<a href="/admin/locations">{t("Create a location first.")}</a></p>
                    }.into_any(),
                    Ok(list) => view! { <NewNodeForm locations=list /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NewNodeForm(locations: Vec<Location>) -> impl IntoView {
    let create = ServerAction::<CreateNode>::new();
    let fields = NodeFields::new(None);
    if let [only] = locations.as_slice() {
        fields.location_id.set(Some(only.id));
    }
    let maintenance = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateNode {
            input: fields.input(maintenance.get()),
        });
    };
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <Show
            when=move || created().is_some()
            fallback=move || {
                let locations = locations.clone();
                view! {
                    <form class="form card" on:submit=submit>
                        <NodeFieldset prefix="new-node" fields locations error disabled=false />
                        <label class="inline">
                            <input type="checkbox" prop:checked=maintenance on:change=move |ev| maintenance.set(event_target_checked(&ev)) />
                            {t("Start in maintenance (no new servers)")}
                        </label>
                        <ErrorBanner id="new-node-error" error=error />
                        <button type="submit" class="primary" disabled=move || create.pending().get()>{t("Create node")}</button>
                    </form>
                }
            }
        >
            {move || created().map(|secret| view! {
                <section class="card" aria-labelledby="node-created-heading">
                    <h2 id="node-created-heading">{t("Node created")}</h2>
                    <SecretOnce id="new-node-secret" secret=secret.daemon_secret />
                    <p><a href=format!("/admin/nodes/{}", secret.node_id)>{t("Go to the node's page")}</a></p>
                </section>
            })}
        </Show>
    }
}

/// `/admin/nodes/{id}`: settings, maintenance, secret, allocations and delete of one node.
#[component]
pub fn NodePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let node = Resource::new(id, get_node);
    // A caller without `locations.read` still edits the node; the select then shows only the
    // node's own location.
    let locations = Resource::new(|| (), |_| list_locations());
    // The allocations load on their own, so adding or removing one leaves unsaved settings in
    // the form above untouched.
    let add = ServerAction::<AddAllocations>::new();
    let remove = ServerAction::<RemoveAllocation>::new();
    let allocations = Resource::new(
        move || (id(), add.version().get(), remove.version().get()),
        |(id, _, _)| async move { get_node(id).await.map(|node| node.allocations) },
    );
    view! {
        <p><A href="/admin/nodes">{t("All nodes")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                let locations = locations.await.unwrap_or_default();
                match node.await {
                    Err(error) => view! { <ErrorBanner id="node-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(node) => view! { <NodeForm node locations /> }.into_any(),
                }
            })}
        </Transition>
        <NodeAllocations id=Signal::derive(id) allocations add remove />
        <Transition>
            {move || Suspend::new(async move {
                node.await.ok().map(|node| view! { <NodeDelete id=node.id /> })
            })}
        </Transition>
    }
}

#[component]
fn NodeForm(node: Node, locations: Vec<Location>) -> impl IntoView {
    let me = use_signed_in_user();
    let can = |key: AdminPermission| me.as_ref().is_some_and(|me| me.can(key));
    let (can_update, can_reset) = (
        can(AdminPermission::NodesUpdate),
        can(AdminPermission::NodesConfiguration),
    );
    let id = node.id;
    let fields = NodeFields::new(Some(&node));
    let heading = RwSignal::new(node.name.clone());
    let maintenance = RwSignal::new(node.maintenance);
    let servers = node.servers;
    // The settings as last saved: the maintenance switch sends these, so it never saves
    // unsaved edits from the form by the way.
    let saved_input = StoredValue::new(fields.input(node.maintenance));
    let update = ServerAction::<UpdateNode>::new();
    let toggle = ServerAction::<UpdateNode>::new();
    let reset = ServerAction::<ResetNodeSecret>::new();
    let confirm_reset = RwSignal::new(false);
    let reset_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = reset_button.get() {
            let _ = button.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateNode {
            id,
            input: fields.input(maintenance.get_untracked()),
        });
    };
    let remember = move |saved: Node| {
        heading.set(saved.name.clone());
        maintenance.set(saved.maintenance);
        saved_input.set_value(NodeFields::new(Some(&saved)).input(saved.maintenance));
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            remember(saved);
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = toggle.value().get() {
            remember(saved);
        }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = reset.value().get() {
            confirm_reset.set(false);
        }
    });
    let switch = move |_| {
        let mut input = saved_input.get_value();
        input.maintenance = !maintenance.get_untracked();
        toggle.dispatch(UpdateNode { id, input });
    };
    let save_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let toggle_error = Signal::derive(move || toggle.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || reset.value().get().and_then(Result::err));
    let new_secret = move || reset.value().get().and_then(Result::ok);
    view! {
        <h1>{move || tf("Node {name}", &[("name", &heading.get())])}</h1>
        <p class="muted">{tf("{count} server(s) on this node.", &[("count", &count(servers))])}</p>
        <form class="form card" on:submit=submit aria-labelledby="node-settings-heading">
            <h2 id="node-settings-heading">{t("Settings")}</h2>
            <NodeFieldset prefix="node" fields locations error=save_error disabled=!can_update />
            <ErrorBanner id="node-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then(|| t("Node saved."))}</p>
            {can_update.then(|| view! {
                <button type="submit" class="primary" disabled=move || update.pending().get()>{t("Save node")}</button>
            })}
        </form>
        <section class="card" aria-labelledby="node-maintenance-heading">
            <h2 id="node-maintenance-heading">{t("Maintenance")}</h2>
            <p>{move || if maintenance.get() {
                t("This node is in maintenance: no new servers are placed on it and no transfers go to it.")
            } else {
                t("This node is in service.")
            }}</p>
            {can_update.then(|| view! {
                <button type="button" class="secondary" disabled=move || toggle.pending().get() on:click=switch>
                    {move || if maintenance.get() { t("End maintenance") } else { t("Start maintenance") }}
                </button>
            })}
            <ErrorBanner id="node-maintenance-error" error=toggle_error />
        </section>
        {can_reset.then(|| view! {
            <section class="card" aria-labelledby="node-secret-heading">
                <h2 id="node-secret-heading">{t("Daemon secret")}</h2>
                <p class="muted">{t("The secret is shown only once, when it is made. A new one replaces it at once: the daemon and every token signed with the old one stop working until the daemon gets the new one.")}</p>
                <Show
                    when=move || confirm_reset.get()
                    fallback=move || view! { <button type="button" class="danger" on:click=move |_| confirm_reset.set(true)>{t("Generate new secret")}</button> }
                >
                    <p role="alert">{t("Replace the daemon secret? The node stops working until its daemon has the new one.")}</p>
                    <div class="actions">
                        <button type="button" class="danger" node_ref=reset_button disabled=move || reset.pending().get() on:click=move |_| { reset.dispatch(ResetNodeSecret { id }); }>{t("Confirm new secret")}</button>
                        <button type="button" class="secondary" on:click=move |_| confirm_reset.set(false)>{t("Cancel")}</button>
                    </div>
                </Show>
                {move || new_secret().map(|secret| view! { <SecretOnce id="node-secret" secret=secret.daemon_secret /> })}
                <ErrorBanner id="node-secret-error" error=reset_error />
            </section>
        })}
    }
}

/// The allocations of a node: a table with remove buttons and a form to add more.
#[component]
fn NodeAllocations(
    id: Signal<i64>,
    allocations: Resource<Result<Vec<Allocation>, crate::error::AppError>>,
    add: ServerAction<AddAllocations>,
    remove: ServerAction<RemoveAllocation>,
) -> impl IntoView {
    let can_edit = use_signed_in_user().is_some_and(|me| me.can(AdminPermission::NodesAllocations));
    let ip = RwSignal::new(String::new());
    let ports = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddAllocations {
            id: id.get_untracked(),
            ip: ip.get(),
            ports: ports.get(),
        });
    };
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            ports.set(String::new());
        }
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let field = move |f: &'static str| {
        Signal::derive(move || add_error.get().and_then(|e| e.field_message(f)))
    };
    let added = move || match add.value().get() {
        Some(Ok(0)) => Some(t("No new allocations: they all existed already.").to_owned()),
        Some(Ok(n)) => Some(tf("{count} allocation(s) added.", &[("count", &count(n))])),
        _ => None,
    };
    let removed =
        move || matches!(remove.value().get(), Some(Ok(()))).then(|| t("Allocation removed."));
    view! {
        <section class="card" aria-labelledby="allocations-heading">
            <h2 id="allocations-heading">{t("Allocations")}</h2>
            <p class="muted">{t("The addresses servers on this node may listen on.")}</p>
            <Transition fallback=|| view! { <p class="loading">{t("Loading allocations…")}</p> }>
                {move || Suspend::new(async move {
                    match allocations.await {
                        Err(error) => view! { <ErrorBanner id="allocations-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t("No allocations yet.")}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table>
                                    <caption class="visually-hidden">{t("Allocations")}</caption>
                                    <thead><tr>
                                        <th scope="col">{t("IP address")}</th>
                                        <th scope="col">{t("Port")}</th>
                                        <th scope="col">{t("Server")}</th>
                                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">{t("Actions")}</span></th> })}
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|allocation| {
                                            let allocation_id = allocation.id;
                                            let label = tf("Remove {address}", &[("address", &format!("{}:{}", allocation.ip, allocation.port))]);
                                            let free = allocation.server_id.is_none();
                                            view! {
                                                <tr>
                                                    <td>{allocation.ip}</td>
                                                    <td>{allocation.port}</td>
                                                    <td>{match (allocation.server_id, allocation.server_name) {
                                                        (Some(server_id), name) => view! { <a href=format!("/admin/servers/{server_id}")>{name.unwrap_or_else(|| tf("Server {id}", &[("id", &server_id)]))}</a> }.into_any(),
                                                        (None, _) => view! { <span class="muted">{t("Free")}</span> }.into_any(),
                                                    }}</td>
                                                    {can_edit.then(|| view! {
                                                        <td>{free.then(|| view! {
                                                            <button type="button" class="secondary" aria-label=label disabled=move || remove.pending().get() on:click=move |_| { remove.dispatch(RemoveAllocation { id: id.get_untracked(), allocation_id }); }>{t("Remove")}</button>
                                                        })}</td>
                                                    })}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorBanner id="allocation-remove-error" error=remove_error />
            <p class="status" role="status" aria-live="polite">{removed}</p>
            {can_edit.then(|| view! {
                <form class="form" on:submit=submit aria-labelledby="add-allocations-heading">
                    <h3 id="add-allocations-heading">{t("Add allocations")}</h3>
                    <label for="allocation-ip">{t("IP address")}</label>
                    <input id="allocation-ip" type="text" required aria-describedby="allocation-ip-error" prop:value=ip on:input=move |ev| ip.set(event_target_value(&ev)) />
                    <FieldMessage id="allocation-ip-error" message=field("ip") />
                    <label for="allocation-ports">{t("Ports")}</label>
                    <input id="allocation-ports" type="text" required aria-describedby="allocation-ports-hint allocation-ports-error" prop:value=ports on:input=move |ev| ports.set(event_target_value(&ev)) />
                    <p id="allocation-ports-hint" class="muted">{t("Single ports and ranges separated by commas, such as 25565-25570, 27015. At most 1,000 at a time.")}</p>
                    <FieldMessage id="allocation-ports-error" message=field("ports") />
                    <ErrorBanner id="allocation-add-error" error=add_error />
                    <p class="status" role="status" aria-live="polite">{added}</p>
                    <button type="submit" class="primary" disabled=move || add.pending().get()>{t("Add allocations")}</button>
                </form>
            })}
        </section>
    }
}

/// Deleting a node, below its allocations.
#[component]
fn NodeDelete(id: i64) -> impl IntoView {
    let can_delete = use_signed_in_user().is_some_and(|me| me.can(AdminPermission::NodesDelete));
    let delete = ServerAction::<DeleteNode>::new();
    let confirm_delete = RwSignal::new(false);
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => hard_navigate("/admin/nodes"),
        Some(Err(_)) => confirm_delete.set(false),
        None => {}
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        {can_delete.then(|| view! {
            <DeleteSection id="node" title=t("Delete node") note=t("Only a node without servers can be deleted; its allocations go with it.") question=t("Delete this node and its allocations? This cannot be undone.") confirming=confirm_delete pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteNode { id }); } error=delete_error />
        })}
    }
}
