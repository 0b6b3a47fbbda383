//! Backup configuration services. The secret is written, never read back out.

use super::{BackupConfiguration, BackupConfigurationInput};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::fields::{delete_unless_used, line, unique_as, Guarded};
use crate::i18n::t;
use crate::users::validation::FieldErrors;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The settings that are not secret, as stored.
fn settings_of(
    input: &BackupConfigurationInput,
) -> Result<(String, &'static str, Value), AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", line(&input.name, 1, 100));
    let (kind, settings) = match input.kind.as_str() {
        "s3" => {
            let endpoint = errors.check("endpoint", check_url(&input.endpoint));
            let bucket = errors.check("bucket", line(&input.bucket, 3, 63));
            let region = errors.check("region", line(&input.region, 0, 64));
            let access_key = errors.check("access_key", line(&input.access_key, 1, 128));
            (
                "s3",
                json!({ "endpoint": endpoint, "bucket": bucket, "region": region, "access_key": access_key }),
            )
        }
        "restic" => {
            let repository = errors.check("repository", line(&input.repository, 1, 500));
            ("restic", json!({ "repository": repository }))
        }
        _ => {
            errors.check::<()>("kind", Err(t("Choose S3 or Restic.").into()));
            ("s3", Value::Null)
        }
    };
    if let Some(secret) = &input.secret {
        // Secrets are kept exactly as typed, spaces included; only their length and control
        // characters are checked.
        let value = secret.expose();
        let checked = if value.chars().any(char::is_control) {
            Err(t("Control characters are not allowed here.").to_owned())
        } else if value.chars().count() > 500 {
            Err(t("At most 500 characters.").to_owned())
        } else {
            Ok(())
        };
        errors.check("secret", checked);
    }
    errors.finish()?;
    Ok((name.unwrap_or_default(), kind, settings))
}

fn check_url(raw: &str) -> Result<String, String> {
    let value = line(raw, 1, 500)?;
    match url::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(value),
        _ => Err(t("Enter an http or https address, such as https://s3.example.com.").into()),
    }
}

fn from_row(row: &AnyRow) -> Result<BackupConfiguration, AppError> {
    let settings: String = row.try_get("settings")?;
    let settings: Value = serde_json::from_str(&settings).unwrap_or_else(|error| {
        tracing::error!(%error, "stored backup settings are not JSON");
        Value::Null
    });
    let field = |key: &str| settings[key].as_str().unwrap_or_default().to_owned();
    Ok(BackupConfiguration {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        endpoint: field("endpoint"),
        bucket: field("bucket"),
        region: field("region"),
        access_key: field("access_key"),
        repository: field("repository"),
        secret_set: row.try_get::<i64, _>("secret_set")? == 1,
        servers: row.try_get("servers")?,
    })
}

const SELECT: &str = r#"
    select b.id, b.name, b.kind, b.settings,
           case when b.secret = '' then 0 else 1 end as secret_set,
           (select count(*) from servers s where s.backup_configuration_id = b.id) as servers
    from backup_configurations b
"#;

pub async fn list(state: &AppState) -> Result<Vec<BackupConfiguration>, AppError> {
    let rows = sqlx::query(&format!("{SELECT} order by b.name_canonical"))
        .fetch_all(state.db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(state: &AppState, id: i64) -> Result<BackupConfiguration, AppError> {
    let row = sqlx::query(&format!("{SELECT} where b.id = $1"))
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&row)
}

async fn record(request: &Request, caller: &Caller, event: Event, id: i64, name: &str, kind: &str) {
    // Only the name and kind: settings such as access keys stay out of the log.
    let entry = Entry::new(event)
        .by(caller)
        .subject("backup_configuration", id)
        .details(json!({ "name": name, "kind": kind }));
    request.record(entry).await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: BackupConfigurationInput,
) -> Result<BackupConfiguration, AppError> {
    let (name, kind, settings) = settings_of(&input)?;
    let secret = input
        .secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    if secret.is_empty() {
        let message = if kind == "s3" {
            t("Enter the secret key.")
        } else {
            t("Enter the repository password.")
        };
        return Err(AppError::field("secret", message));
    }
    let row = sqlx::query(
        r#"
        insert into backup_configurations (name, name_canonical, kind, settings, secret,
                                           created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6) returning id
        "#,
    )
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(kind)
    .bind(settings.to_string())
    .bind(&secret)
    .bind(request.state.now())
    .fetch_one(request.state.db.pool())
    .await
    .map_err(unique_as(
        "name",
        t("A backup configuration with this name already exists."),
    ))?;
    let id: i64 = row.try_get("id")?;
    record(
        request,
        caller,
        Event::BackupConfigurationCreated,
        id,
        &name,
        kind,
    )
    .await;
    get(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, backup_configuration_id = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: BackupConfigurationInput,
) -> Result<BackupConfiguration, AppError> {
    let (name, kind, settings) = settings_of(&input)?;
    let current = get(&request.state, id).await?;
    let secret = input
        .secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    // Changing the kind makes the old secret meaningless, so a new one must come with it.
    if secret.is_empty() && current.kind != kind {
        return Err(AppError::field(
            "secret",
            t("Enter the secret for the new kind."),
        ));
    }
    sqlx::query(
        r#"
        update backup_configurations set name = $1, name_canonical = $2, kind = $3, settings = $4,
            secret = case when $5 = '' then secret else $5 end, updated_at = $6
        where id = $7
        "#,
    )
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(kind)
    .bind(settings.to_string())
    .bind(&secret)
    .bind(request.state.now())
    .bind(id)
    .execute(request.state.db.pool())
    .await
    .map_err(unique_as(
        "name",
        t("A backup configuration with this name already exists."),
    ))?;
    record(
        request,
        caller,
        Event::BackupConfigurationUpdated,
        id,
        &name,
        kind,
    )
    .await;
    get(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, backup_configuration_id = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let kind = get(&request.state, id).await?.kind;
    let guarded = Guarded {
        table: "backup_configurations",
        label: "name",
        thing: "backup configuration",
        used_by: ("server", "servers"),
        count_users: "select count(*) from servers where backup_configuration_id = $1",
        also_delete: &[],
    };
    let name = delete_unless_used(&request.state, &guarded, id).await?;
    let event = Event::BackupConfigurationDeleted;
    record(request, caller, event, id, &name, &kind).await;
    Ok(())
}
