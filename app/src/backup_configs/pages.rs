//! The backup configuration pages of the admin area: the list, and the editor for a new or an
//! existing configuration. The secret is write-only: the field is always empty.

use super::{
    list_backup_configurations, BackupConfiguration, BackupConfigurationInput,
    CreateBackupConfiguration, DeleteBackupConfiguration, UpdateBackupConfiguration,
};
use crate::i18n::{format::number, t, tf};
use crate::permissions::AdminPermission;
use crate::shell::{hard_navigate, use_signed_in_user, DeleteSection, ErrorBanner, FieldMessage};
use crate::users::Password;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

fn can(key: AdminPermission) -> bool {
    use_signed_in_user().is_some_and(|me| me.can(key))
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "s3" => "S3",
        "restic" => "Restic",
        _ => t("Unknown"),
    }
}

/// `/admin/backup-configurations`: every configuration.
#[component]
pub fn BackupConfigurationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_backup_configurations());
    view! {
        <h1>{t("Backup configurations")}</h1>
        <p><A href="/admin">{t("Administration")}</A></p>
        {can(AdminPermission::BackupConfigurationsCreate).then(|| view! {
            <p><A href="/admin/backup-configurations/new" attr:class="button primary">{t("New backup configuration")}</A></p>
        })}
        <Transition fallback=|| view! { <p class="loading">{t("Loading backup configurations…")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorBanner id="backup-configurations-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t("No backup configurations yet.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table>
                                <caption class="visually-hidden">{t("Backup configurations")}</caption>
                                <thead><tr>
                                    <th scope="col">{t("Name")}</th>
                                    <th scope="col">{t("Kind")}</th>
                                    <th scope="col">{t("Where")}</th>
                                    <th scope="col">{t("Servers")}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|config| {
                                        let place = if config.kind == "s3" {
                                            format!("{} / {}", config.endpoint, config.bucket)
                                        } else {
                                            config.repository.clone()
                                        };
                                        view! {
                                            <tr>
                                                <td><a href=format!("/admin/backup-configurations/{}", config.id)>{config.name}</a></td>
                                                <td>{kind_name(&config.kind)}</td>
                                                <td>{place}</td>
                                                <td>{number(config.servers)}</td>
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
    }
}

/// `/admin/backup-configurations/new` and `/admin/backup-configurations/{id}`.
#[component]
pub fn BackupConfigurationEditorPage() -> impl IntoView {
    let params = use_params_map();
    let config_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    // There is no single-item function: the list holds every configuration without secrets.
    let config = Resource::new(config_id, |id| async move {
        match id {
            Some(id) => list_backup_configurations()
                .await?
                .into_iter()
                .find(|config| config.id == id)
                .map(Some)
                .ok_or(crate::error::AppError::NotFound),
            None => Ok(None),
        }
    });
    view! {
        <p><A href="/admin/backup-configurations">{t("All backup configurations")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match config.await {
                    Err(error) => view! { <ErrorBanner id="backup-configuration-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(config) => view! { <BackupConfigurationForm config /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BackupConfigurationForm(config: Option<BackupConfiguration>) -> impl IntoView {
    let can_save = can(if config.is_some() {
        AdminPermission::BackupConfigurationsUpdate
    } else {
        AdminPermission::BackupConfigurationsCreate
    });
    let can_delete = config.is_some() && can(AdminPermission::BackupConfigurationsDelete);
    let id = config.as_ref().map(|c| c.id);
    let servers = config.as_ref().map_or(0, |c| c.servers);
    let current = config.unwrap_or_else(|| BackupConfiguration {
        kind: "s3".into(),
        ..BackupConfiguration::default()
    });
    let heading = RwSignal::new(id.map(|_| current.name.clone()));
    let saved_kind = RwSignal::new(id.map(|_| current.kind.clone()));
    let secret_set = RwSignal::new(current.secret_set);
    let name = RwSignal::new(current.name);
    let kind = RwSignal::new(current.kind);
    let endpoint = RwSignal::new(current.endpoint);
    let bucket = RwSignal::new(current.bucket);
    let region = RwSignal::new(current.region);
    let access_key = RwSignal::new(current.access_key);
    let repository = RwSignal::new(current.repository);
    let secret = RwSignal::new(String::new());

    let create = ServerAction::<CreateBackupConfiguration>::new();
    let update = ServerAction::<UpdateBackupConfiguration>::new();
    let delete = ServerAction::<DeleteBackupConfiguration>::new();
    let confirming = RwSignal::new(false);

    let input = move || {
        let secret = secret.get();
        let s3 = kind.get() == "s3";
        // Only the fields of the chosen kind are sent; the others would be dropped anyway.
        let pick = |value: RwSignal<String>, wanted: bool| {
            if wanted {
                value.get()
            } else {
                String::new()
            }
        };
        BackupConfigurationInput {
            name: name.get(),
            kind: kind.get(),
            endpoint: pick(endpoint, s3),
            bucket: pick(bucket, s3),
            region: pick(region, s3),
            access_key: pick(access_key, s3),
            repository: pick(repository, !s3),
            secret: (!secret.is_empty()).then(|| Password::new(secret)),
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id {
            Some(id) => {
                update.dispatch(UpdateBackupConfiguration { id, input: input() });
            }
            None => {
                create.dispatch(CreateBackupConfiguration { input: input() });
            }
        }
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = create.value().get() {
            hard_navigate(&format!("/admin/backup-configurations/{}", saved.id));
        }
    });
    // A saved secret leaves the page: the field empties, and only "a secret is set" remains.
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            heading.set(Some(saved.name));
            saved_kind.set(Some(saved.kind));
            secret_set.set(saved.secret_set);
            secret.set(String::new());
        }
    });
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => hard_navigate("/admin/backup-configurations"),
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
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let field = move |f: &'static str| {
        Signal::derive(move || save_error.get().and_then(|e| e.field_message(f)))
    };
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let is_s3 = move || kind.get() == "s3";
    let secret_label = move || {
        let kind_changed = saved_kind.get().is_some_and(|saved| saved != kind.get());
        let keep = secret_set.get() && !kind_changed;
        match (is_s3(), keep) {
            (true, true) => t("Secret key (leave empty to keep the current one)"),
            (true, false) => t("Secret key"),
            (false, true) => t("Repository password (leave empty to keep the current one)"),
            (false, false) => t("Repository password"),
        }
    };
    let secret_hint = move || {
        let kind_changed = saved_kind.get().is_some_and(|saved| saved != kind.get());
        if kind_changed {
            t("The kind changed: enter the secret for the new kind.")
        } else if secret_set.get() {
            t("A secret is stored; it is never shown.")
        } else {
            t("Required. It is stored and never shown again.")
        }
    };
    let text_input = move |input_id: &'static str,
                           label: &'static str,
                           signal: RwSignal<String>,
                           field_name: &'static str,
                           hint: Option<&'static str>| {
        let error_id = format!("{input_id}-error");
        let hint_id = format!("{input_id}-hint");
        let describedby = match hint {
            Some(_) => format!("{hint_id} {error_id}"),
            None => error_id.clone(),
        };
        view! {
            <label for=input_id>{label}</label>
            <input id=input_id type="text" disabled=!can_save aria-describedby=describedby prop:value=signal on:input=move |ev| signal.set(event_target_value(&ev)) />
            {hint.map(|hint| view! { <p id=hint_id class="muted">{hint}</p> })}
            <FieldMessage id=error_id message=field(field_name) />
        }
    };
    view! {
        <h1>{move || match heading.get() {
            Some(name) => tf("Backup configuration {name}", &[("name", &name)]),
            None => t("New backup configuration").to_owned(),
        }}</h1>
        {id.map(|_| view! { <p class="muted">{tf("Used by {count} server(s).", &[("count", &number(servers))])}</p> })}
        <form class="form card" on:submit=save>
            <label for="backup-name">{t("Name")}</label>
            <input id="backup-name" type="text" required maxlength="100" disabled=!can_save aria-describedby="backup-name-error" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldMessage id="backup-name-error" message=field("name") />
            <label for="backup-kind">{t("Kind")}</label>
            <select id="backup-kind" disabled=!can_save aria-describedby="backup-kind-error" on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="s3" selected=move || kind.get() == "s3">{t("S3 bucket")}</option>
                <option value="restic" selected=move || kind.get() == "restic">{t("Restic repository")}</option>
            </select>
            <FieldMessage id="backup-kind-error" message=field("kind") />
            <Show
                when=is_s3
                fallback=move || text_input("backup-repository", t("Repository"), repository, "repository", Some(t("Where Restic keeps the backups, such as s3:https://s3.example.com/bucket or sftp:user@host:/srv/restic.")))
            >
                {text_input("backup-endpoint", t("Endpoint"), endpoint, "endpoint", Some(t("An http or https address, such as https://s3.example.com.")))}
                {text_input("backup-bucket", t("Bucket"), bucket, "bucket", None)}
                {text_input("backup-region", t("Region"), region, "region", Some(t("Leave empty when the provider has no regions.")))}
                {text_input("backup-access-key", t("Access key"), access_key, "access_key", None)}
            </Show>
            <label for="backup-secret">{secret_label}</label>
            <input id="backup-secret" type="password" autocomplete="new-password" disabled=!can_save aria-describedby="backup-secret-hint backup-secret-error" prop:value=secret on:input=move |ev| secret.set(event_target_value(&ev)) />
            <p id="backup-secret-hint" class="muted">{secret_hint}</p>
            <FieldMessage id="backup-secret-error" message=field("secret") />
            <ErrorBanner id="backup-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{move || matches!(update.value().get(), Some(Ok(_))).then(|| t("Backup configuration saved."))}</p>
            {can_save.then(|| view! {
                <button type="submit" class="primary" disabled=pending>{if id.is_some() { t("Save backup configuration") } else { t("Create backup configuration") }}</button>
            })}
        </form>
        {id.filter(|_| can_delete).map(|id| view! {
            <DeleteSection id="backup" title=t("Delete backup configuration") note=t("Only a configuration that no server uses can be deleted.") question=t("Delete this backup configuration and its stored secret? This cannot be undone.") confirming=confirming pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteBackupConfiguration { id }); } error=delete_error />
        })}
    }
}
