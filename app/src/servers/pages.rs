//! The pages of one server for the people who use it: the list, and per server an overview and
//! the tabs the caller's permissions open (settings, startup, sub-users, activity).
//!
//! Tabs are hidden without their permission; the server functions refuse regardless.

use super::{
    get_server, get_startup, list_servers, server_activity, Relation, RenameServer, ServerView,
    Startup, UpdateStartup,
};
use crate::accounts::display::format_utc;
use crate::accounts::pages::ActivityTable;
use crate::daemon::RequestDaemonToken;
use crate::error::AppError;
use crate::i18n::format::number;
use crate::i18n::{t, tf};
use crate::permissions::ServerPermission;
use crate::shell::{ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

/// `/` and `/servers`: the servers the user can reach, with a name filter, and for those who
/// may, a switch to every server of the panel.
#[component]
pub fn ServersPage() -> impl IntoView {
    let query_map = use_query_map();
    let filter = move || query_map.read().get("q").unwrap_or_default();
    let all = move || query_map.read().get("all").is_some_and(|v| v == "1");
    let after = move || {
        query_map
            .read()
            .get("after")
            .and_then(|a| a.parse::<i64>().ok())
    };
    let page = Resource::new(
        move || (all(), filter(), after()),
        |(all, q, after)| list_servers(Some(all), Some(q), after),
    );
    view! {
        <h1>{move || if all() { t("All servers") } else { t("Your servers") }}</h1>
        <form method="get" action="/servers" class="search" role="search">
            <label for="server-filter">{t("Filter by name")}</label>
            <input id="server-filter" name="q" type="search" prop:value=filter />
            {move || all().then(|| view! { <input type="hidden" name="all" value="1" /> })}
            <button type="submit" class="secondary">{t("Filter")}</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">{t("Loading servers…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorBanner id="servers-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(page) => {
                        let switch = page.can_list_all.then(|| view! {
                            <p class="tabs-inline">
                                <a href="/servers" aria-current=move || (!all()).then_some("page")>{t("Your servers")}</a>
                                " · "
                                <a href="/servers?all=1" aria-current=move || all().then_some("page")>{t("All servers")}</a>
                            </p>
                        });
                        let rows = if page.rows.is_empty() {
                            view! { <p class="empty">{t("No servers to show.")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="server-list">
                                    {page.rows.into_iter().map(|server| {
                                        let relation = match server.relation {
                                            Relation::Owner => t("Owner"),
                                            Relation::Subuser => t("Sub-user"),
                                            Relation::Panel => t("Panel access"),
                                        };
                                        view! {
                                            <li class="card">
                                                <h2><a href=format!("/servers/{}", server.id)>{server.name}</a></h2>
                                                {server.suspended.then(|| view! { <span class="badge">{t("Suspended")}</span> })}
                                                <p class="muted">{server.description}</p>
                                                <p>{tf("{address} · {node} · owner {owner}", &[("address", &server.address), ("node", &server.node), ("owner", &server.owner)])}" · "<span class="badge">{relation}</span></p>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        };
                        let next = page.next_after.map(|next| view! {
                            <p><a href=move || format!("/servers?q={}&all={}&after={next}", crate::servers::admin_pages::encode_query(&filter()), if all() { "1" } else { "0" })>{t("More servers")}</a></p>
                        });
                        view! { {switch} {rows} {next} }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The id in `/servers/{id}/...`.
fn use_server_id() -> Signal<Option<i64>> {
    let params = use_params_map();
    Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    })
}

/// Loads the server of the current address. The layout and each tab load it at their own top
/// level: a resource made inside another's suspense would not hydrate.
pub fn use_server() -> Resource<Result<ServerView, AppError>> {
    let id = use_server_id();
    Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_server(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

/// `/servers/{id}/...`: the server's name and the tabs the caller may open.
#[component]
pub fn ServerLayout() -> impl IntoView {
    let server = use_server();
    view! {
        <Suspense fallback=|| view! { <p class="loading">{t("Loading server…")}</p> }>
            {move || Suspend::new(async move {
                match server.await {
                    Ok(server) => server_header(server),
                    Err(error) => view! {
                        <h1>{t("Server")}</h1>
                        <ErrorBanner id="server-error" error=Signal::derive(move || Some(error.clone())) />
                        <p><a href="/servers">{t("Back to your servers")}</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Outlet />
    }
}

fn server_header(server: ServerView) -> AnyView {
    let base = format!("/servers/{}", server.id);
    let tabs = [
        ("", t("Overview"), None),
        (
            "/settings",
            t("Settings"),
            Some(ServerPermission::SettingsRename),
        ),
        (
            "/startup",
            t("Startup"),
            Some(ServerPermission::StartupRead),
        ),
        (
            "/subusers",
            t("Sub-users"),
            Some(ServerPermission::SubusersRead),
        ),
        (
            "/activity",
            t("Activity"),
            Some(ServerPermission::ActivityRead),
        ),
    ];
    let links = tabs
        .into_iter()
        .filter(|(_, _, permission)| permission.is_none_or(|p| server.can(p)))
        .map(|(path, label, _)| {
            let href = format!("{base}{path}");
            view! { <A href=href exact=true>{label}</A> }
        })
        .collect_view();
    view! {
        <h1>{server.name}</h1>
        {server.suspended.then(|| view! { <p class="banner" role="status">{t("This server is suspended.")}</p> })}
        <nav class="tabs" aria-label=t("Server")>{links}</nav>
    }
    .into_any()
}

/// What a tab shows once its server loaded: nothing when the server is not found (the layout
/// says so), a note when the caller lacks the tab's permission, else the tab.
fn tab(
    server: Result<ServerView, AppError>,
    permission: Option<ServerPermission>,
    show: impl FnOnce(ServerView) -> AnyView,
) -> AnyView {
    match server {
        Err(_) => ().into_any(),
        Ok(server) if permission.is_some_and(|p| !server.can(p)) => view! {
            <p class="empty">{t("You do not have access to this part of the server.")}</p>
        }
        .into_any(),
        Ok(server) => show(server),
    }
}

/// The overview tab: what the server is, what the caller may do, and the console and files
/// buttons, which ask the panel for a daemon token.
#[component]
pub fn ServerOverview() -> impl IntoView {
    let server = use_server();
    let token = ServerAction::<RequestDaemonToken>::new();
    view! {
        <Transition>
            {move || Suspend::new(async move { tab(server.await, None, |server| overview(server, token)) })}
        </Transition>
    }
}

fn overview(server: ServerView, token: ServerAction<RequestDaemonToken>) -> AnyView {
    let has_group = |group: &str| {
        server
            .permissions
            .iter()
            .any(|p| p.key().split('.').next() == Some(group))
    };
    let (console, files) = (has_group("control"), has_group("files"));
    let id = server.id;
    let permissions: Vec<&'static str> = server.permissions.iter().map(|p| p.key()).collect();
    view! {
        <section class="card" aria-labelledby="overview-heading">
            <h2 id="overview-heading">{t("Overview")}</h2>
            <dl class="facts">
                <dt>{t("Address")}</dt><dd>{server.address.clone()}</dd>
                <dt>{t("Node")}</dt><dd>{server.node.clone()}</dd>
                <dt>{t("Egg")}</dt><dd>{server.egg.clone()}</dd>
                <dt>{t("Image")}</dt><dd><code>{server.docker_image.clone()}</code></dd>
                <dt>{t("Memory")}</dt><dd>{tf("{size} MiB", &[("size", &number(server.memory_mb))])}</dd>
                <dt>{t("Disk")}</dt><dd>{tf("{size} MiB", &[("size", &number(server.disk_mb))])}</dd>
                <dt>{t("CPU")}</dt><dd>{if server.cpu_percent == 0 { t("Unlimited").to_owned() } else { tf("{percent} %", &[("percent", &number(server.cpu_percent))]) }}</dd>
                <dt>{t("Owner")}</dt><dd>{server.owner.clone()}</dd>
            </dl>
            <p class="muted">{server.description.clone()}</p>
        </section>
        <section class="card" aria-labelledby="access-heading">
            <h2 id="access-heading">{t("Your access")}</h2>
            {if server.is_owner {
                view! { <p>{t("You own this server and may do everything on it.")}</p> }.into_any()
            } else if permissions.is_empty() {
                view! { <p>{t("You can see this server but not act on it.")}</p> }.into_any()
            } else {
                view! { <ul class="key-list">{permissions.into_iter().map(|k| view! { <li><code>{k}</code></li> }).collect_view()}</ul> }.into_any()
            }}
            <div class="actions">
                {console.then(|| view! { <button type="button" class="primary" on:click=move |_| { token.dispatch(RequestDaemonToken { id, purpose: "console".into() }); }>{t("Open console")}</button> })}
                {files.then(|| view! { <button type="button" class="secondary" on:click=move |_| { token.dispatch(RequestDaemonToken { id, purpose: "files".into() }); }>{t("Open files")}</button> })}
            </div>
            <p class="status" role="status" aria-live="polite">
                {move || token.value().get().and_then(Result::ok).map(|token| tf("Access granted by the daemon at {url} until {time}.", &[("url", &token.url), ("time", &format_utc(token.expires_at))]))}
            </p>
            <ErrorBanner id="token-error" error=Signal::derive(move || token.value().get().and_then(Result::err)) />
        </section>
    }
    .into_any()
}

/// The settings tab: rename. Needs `settings.rename`.
#[component]
pub fn ServerSettingsTab() -> impl IntoView {
    let server = use_server();
    let rename = ServerAction::<RenameServer>::new();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                tab(server.await, Some(ServerPermission::SettingsRename), |server| view! { <RenameForm server rename /> }.into_any())
            })}
        </Transition>
    }
}

#[component]
fn RenameForm(server: ServerView, rename: ServerAction<RenameServer>) -> impl IntoView {
    let name = RwSignal::new(server.name.clone());
    let description = RwSignal::new(server.description.clone());
    let id = server.id;
    let error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        rename.dispatch(RenameServer {
            id,
            name: name.get_untracked(),
            description: description.get_untracked(),
        });
    };
    view! {
        <form class="form card" on:submit=submit>
            <h2>{t("Settings")}</h2>
            <label for="server-name">{t("Name")}</label>
            <input id="server-name" type="text" required maxlength="100" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="server-name-error" message=field("name") />
            <label for="server-description">{t("Description")}</label>
            <textarea id="server-description" maxlength="1000" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="server-description-error" message=field("description") />
            <ErrorBanner id="rename-error" error=error />
            <p class="status" role="status" aria-live="polite">{move || matches!(rename.value().get(), Some(Ok(_))).then_some(t("Saved."))}</p>
            <button type="submit" class="primary" disabled=rename.pending()>{t("Save")}</button>
        </form>
    }
}

/// The startup tab: the command and the variables the egg lets users see; those it lets them
/// change are inputs for holders of `startup.update`.
#[component]
pub fn ServerStartupTab() -> impl IntoView {
    let server = use_server();
    let id = use_server_id();
    let update = ServerAction::<UpdateStartup>::new();
    let startup = Resource::new(
        move || (id.get(), update.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_startup(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">{t("Loading startup…")}</p> }>
            {move || Suspend::new(async move {
                let startup = startup.await;
                tab(server.await, Some(ServerPermission::StartupRead), move |server| match startup {
                    Err(error) => view! { <ErrorBanner id="startup-load-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(startup) => view! { <StartupForm id=server.id startup update /> }.into_any(),
                })
            })}
        </Transition>
    }
}

#[component]
fn StartupForm(id: i64, startup: Startup, update: ServerAction<UpdateStartup>) -> impl IntoView {
    let values: RwSignal<BTreeMap<String, String>> = RwSignal::new(BTreeMap::new());
    let image = RwSignal::new(None::<String>);
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateStartup {
            id,
            values: values.get_untracked(),
            docker_image: image.get_untracked(),
        });
    };
    let editable =
        startup.variables.iter().any(|v| v.editable) || !startup.docker_images.is_empty();
    let current_image = startup.docker_image.clone();
    view! {
        <form class="form card wide" on:submit=submit>
            <h2>{t("Startup")}</h2>
            <p class="muted">{t("Command")}</p>
            <pre class="command">{startup.command}</pre>
            {if startup.docker_images.is_empty() {
                view! { <p>{t("Image:")}" "<code>{startup.docker_image}</code></p> }.into_any()
            } else {
                view! {
                    <label for="startup-image">{t("Docker image")}</label>
                    <select id="startup-image" on:change=move |ev| image.set(Some(event_target_value(&ev)))>
                        {startup.docker_images.into_iter().map(|i| {
                            let selected = i == current_image;
                            view! { <option value=i.clone() selected=selected>{i.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage id="startup-image-error" message=Signal::derive(move || error.get().and_then(|e| e.field_message("docker_image"))) />
                }.into_any()
            }}
            {startup.variables.into_iter().map(|variable| {
                let input_id = format!("var-{}", variable.env_name);
                let field = format!("variables.{}", variable.env_name);
                let env = variable.env_name.clone();
                let message = Signal::derive(move || error.get().and_then(|e| e.field_message(&field)));
                view! {
                    <label for=input_id.clone()>{variable.name}" "<code>{variable.env_name.clone()}</code></label>
                    <input
                        id=input_id.clone()
                        type="text"
                        value=variable.value
                        readonly=!variable.editable
                        aria-describedby=format!("{input_id}-hint")
                        on:input=move |ev| { let value = event_target_value(&ev); values.update(|v| { v.insert(env.clone(), value); }); }
                    />
                    <p id=format!("{input_id}-hint") class="muted">{variable.description}{(!variable.rules.is_empty()).then(|| format!(" {}", tf("Rules: {rules}", &[("rules", &variable.rules)])))}</p>
                    <FieldMessage id=format!("{input_id}-error") message=message />
                }
            }).collect_view()}
            <ErrorBanner id="startup-error" error=error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then_some(t("Startup saved."))}</p>
            {editable.then(|| view! { <button type="submit" class="primary" disabled=update.pending()>{t("Save startup")}</button> })}
        </form>
    }
}

/// The activity tab. Needs `activity.read`; addresses only with `activity.read-ip`.
#[component]
pub fn ServerActivityTab() -> impl IntoView {
    let server = use_server();
    let id = use_server_id();
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(
        move || (id.get(), before()),
        |(id, before)| async move {
            match id {
                Some(id) => server_activity(id, before).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">{t("Loading activity…")}</p> }>
            {move || Suspend::new(async move {
                let page = page.await;
                tab(server.await, Some(ServerPermission::ActivityRead), move |server| {
                    let show_ip = server.can(ServerPermission::ActivityReadIp);
                    let id = server.id;
                    let body = match page {
                        Err(error) => view! { <ErrorBanner id="server-activity-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t("No activity yet.")}</p> }.into_any(),
                        Ok(page) => view! {
                            <ActivityTable caption=t("Server activity, newest first") rows=page.rows show_ip />
                            {page.next_before.map(|next| view! { <p><a href=format!("/servers/{id}/activity?before={next}")>{t("Older activity")}</a></p> })}
                        }.into_any(),
                    };
                    view! {
                        <section class="card" aria-labelledby="server-activity-heading">
                            <h2 id="server-activity-heading">{t("Activity")}</h2>
                            {body}
                        </section>
                    }.into_any()
                })
            })}
        </Transition>
    }
}
