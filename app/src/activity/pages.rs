//! `/admin/activity`: the admin log with its filters, expandable rows and CSV export.

use super::admin::{admin_activity, data_url, ExportActivity, LogFilter};
use super::Event;
use crate::accounts::display::{format_utc, parse_date};
use crate::i18n::{t, tf};
use crate::shell::ErrorBanner;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The kinds of subject events name, with their labels (listed for translation by
/// [`crate::i18n::catalogued_texts`]).
pub(crate) const SUBJECTS: &[(&str, &str)] = &[
    ("user", "User"),
    ("server", "Server"),
    ("role", "Role"),
    ("node", "Node"),
    ("location", "Location"),
    ("nest", "Nest"),
    ("egg", "Egg"),
    ("backup_configuration", "Backup configuration"),
];

/// The filter as the address spells it (a GET form, so it works without scripts and can be
/// bookmarked).
fn filter_from_query(query: &leptos_router::params::ParamsMap) -> LogFilter {
    let text = |key: &str| query.get(key).filter(|v| !v.trim().is_empty());
    LogFilter {
        event: text("event"),
        actor: text("actor"),
        subject_type: text("subject_type"),
        subject_id: text("subject_id").and_then(|v| v.trim().parse().ok()),
        from: text("from").and_then(|v| parse_date(&v)),
        // The "to" day is included: the range ends where the next day starts.
        to: text("to")
            .and_then(|v| parse_date(&v))
            .map(|day| day + 86_400),
    }
}

/// `/admin/activity`. Needs `activity.read`.
#[component]
pub fn AdminActivityPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| filter_from_query(&query.read()));
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(
        move || (filter.get(), before()),
        |(f, before)| {
            admin_activity(
                f.event,
                f.actor,
                f.subject_type,
                f.subject_id,
                f.from,
                f.to,
                before,
            )
        },
    );
    let export = ServerAction::<ExportActivity>::new();
    let value = move |key: &'static str| move || query.read().get(key).unwrap_or_default();
    let chosen_event = value("event");
    let chosen_subject = value("subject_type");
    let run_export = move |_| {
        let f = filter.get_untracked();
        export.dispatch(ExportActivity {
            event: f.event,
            actor: f.actor,
            subject_type: f.subject_type,
            subject_id: f.subject_id,
            from: f.from,
            to: f.to,
        });
    };
    let next_link = move |next: i64| {
        let mut params: Vec<String> =
            ["event", "actor", "subject_type", "subject_id", "from", "to"]
                .iter()
                .filter_map(|key| {
                    query
                        .read()
                        .get(key)
                        .map(|v| format!("{key}={}", encode(&v)))
                })
                .collect();
        params.push(format!("before={next}"));
        format!("/admin/activity?{}", params.join("&"))
    };
    view! {
        <h1>{t("Activity log")}</h1>
        <form method="get" action="/admin/activity" class="form card wide filters" role="search" aria-label=t("Filter the activity log")>
            <div class="filter-grid">
                <div>
                    <label for="filter-event">{t("Event")}</label>
                    <select id="filter-event" name="event">
                        <option value="">{t("Any event")}</option>
                        {Event::ALL.iter().map(|event| {
                            let key = event.key();
                            view! { <option value=key selected=move || chosen_event() == key>{format!("{} ({key})", t(event.description()))}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="filter-actor">{t("Actor (username)")}</label>
                    <input id="filter-actor" name="actor" type="text" prop:value=value("actor") />
                </div>
                <div>
                    <label for="filter-subject-type">{t("Subject")}</label>
                    <select id="filter-subject-type" name="subject_type">
                        <option value="">{t("Any subject")}</option>
                        {SUBJECTS.iter().map(|(key, label)| view! {
                            <option value=*key selected=move || chosen_subject() == *key>{t(label)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="filter-subject-id">{t("Subject id")}</label>
                    <input id="filter-subject-id" name="subject_id" type="number" min="1" prop:value=value("subject_id") />
                </div>
                <div>
                    <label for="filter-from">{t("From (UTC day)")}</label>
                    <input id="filter-from" name="from" type="date" prop:value=value("from") />
                </div>
                <div>
                    <label for="filter-to">{t("To (UTC day, included)")}</label>
                    <input id="filter-to" name="to" type="date" prop:value=value("to") />
                </div>
            </div>
            <div class="actions">
                <button type="submit" class="primary">{t("Filter")}</button>
                <a href="/admin/activity">{t("Clear filters")}</a>
                <button type="button" class="secondary" on:click=run_export disabled=export.pending()>{t("Export CSV")}</button>
                {move || export.pending().get().then(|| view! { <span class="loading" role="status">{t("Preparing the export…")}</span> })}
                {move || export.value().get().and_then(Result::ok).map(|csv| view! {
                    <a class="button" download="gatehouse-activity.csv" href=data_url("text/csv", &csv)>{t("Download activity CSV")}</a>
                })}
            </div>
            <ErrorBanner id="export-error" error=Signal::derive(move || export.value().get().and_then(Result::err)) />
        </form>
        <Transition fallback=|| view! { <p class="loading">{t("Loading activity…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorBanner id="activity-log-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t("No activity matches.")}</p> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table>
                                <caption class="visually-hidden">{t("Activity, newest first")}</caption>
                                <thead><tr>
                                    <th scope="col">{t("When")}</th>
                                    <th scope="col">{t("What")}</th>
                                    <th scope="col">{t("By")}</th>
                                    <th scope="col">{t("Subject")}</th>
                                    <th scope="col">{t("IP address")}</th>
                                    <th scope="col">{t("Details")}</th>
                                </tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|row| {
                                        let by = acted_by(row.actor, row.impersonator);
                                        let subject = subject_label(row.subject_type, row.subject_id);
                                        view! {
                                            <tr>
                                                <td>{format_utc(row.created_at)}</td>
                                                <td title=row.event.clone()>{t(&row.description).to_owned()}</td>
                                                <td>{by}</td>
                                                <td>{subject}</td>
                                                <td>{row.ip.unwrap_or_default()}</td>
                                                <td>
                                                    <details>
                                                        <summary>{tf("Event {id}", &[("id", &row.id)])}</summary>
                                                        <dl class="facts">
                                                            <dt>{t("Key")}</dt><dd><code>{row.event}</code></dd>
                                                            <dt>{t("Device")}</dt><dd>{row.user_agent.unwrap_or_default()}</dd>
                                                        </dl>
                                                        <pre class="command">{row.details.unwrap_or_else(|| t("No details.").into())}</pre>
                                                    </details>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {page.next_before.map(|next| view! { <p><a href=next_link(next)>{t("Older activity")}</a></p> })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Who acted, naming the impersonating admin beside them.
fn acted_by(actor: Option<String>, impersonator: Option<String>) -> String {
    match (actor, impersonator) {
        (Some(actor), Some(admin)) => tf(
            "{actor} (impersonated by {admin})",
            &[("actor", &actor), ("admin", &admin)],
        ),
        (Some(actor), None) => actor,
        (None, _) => "—".to_owned(),
    }
}

/// What an event was about: the kind's label and the id.
fn subject_label(kind: Option<String>, id: Option<i64>) -> String {
    match (kind, id) {
        (Some(kind), Some(id)) => {
            let label = SUBJECTS
                .iter()
                .find(|(key, _)| *key == kind)
                .map_or(kind.as_str(), |(_, label)| t(label));
            format!("{label} {id}")
        }
        _ => "—".to_owned(),
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
