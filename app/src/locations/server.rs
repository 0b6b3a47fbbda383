//! Location services.

use super::{Location, LocationInput};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::fields::{delete_unless_used, line, text, unique_as, Guarded};
use crate::i18n::t;
use crate::users::validation::FieldErrors;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

fn validate(input: &LocationInput) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::default();
    let code = errors.check(
        "short_code",
        line(&input.short_code, 1, 60).and_then(|code| {
            if code
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                Ok(code)
            } else {
                Err(t("Use letters, digits and - _ . only, as in eu-west.").into())
            }
        }),
    );
    let description = errors.check("description", text(&input.description, 500));
    errors.finish()?;
    Ok((code.unwrap_or_default(), description.unwrap_or_default()))
}

fn from_row(row: &AnyRow) -> Result<Location, AppError> {
    Ok(Location {
        id: row.try_get("id")?,
        short_code: row.try_get("short_code")?,
        description: row.try_get("description")?,
        nodes: row.try_get("nodes")?,
    })
}

const SELECT: &str = r#"
    select l.id, l.short_code, l.description,
           (select count(*) from nodes n where n.location_id = l.id) as nodes
    from locations l
"#;

pub async fn list(state: &AppState) -> Result<Vec<Location>, AppError> {
    let rows = sqlx::query(&format!("{SELECT} order by l.short_code_canonical"))
        .fetch_all(state.db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(state: &AppState, id: i64) -> Result<Location, AppError> {
    let row = sqlx::query(&format!("{SELECT} where l.id = $1"))
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&row)
}

async fn record(request: &Request, caller: &Caller, event: Event, id: i64, code: &str) {
    let entry = Entry::new(event)
        .by(caller)
        .subject("location", id)
        .details(json!({ "short_code": code }));
    request.record(entry).await;
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create(
    request: &Request,
    caller: &Caller,
    input: LocationInput,
) -> Result<Location, AppError> {
    let (code, description) = validate(&input)?;
    let now = request.state.now();
    let row = sqlx::query(
        r#"
        insert into locations (short_code, short_code_canonical, description, created_at, updated_at)
        values ($1, $2, $3, $4, $4)
        returning id
        "#,
    )
    .bind(&code)
    .bind(code.to_lowercase())
    .bind(&description)
    .bind(now)
    .fetch_one(request.state.db.pool())
    .await
    .map_err(unique_as(
        "short_code",
        t("A location with this short code already exists."),
    ))?;
    let id: i64 = row.try_get("id")?;
    record(request, caller, Event::LocationCreated, id, &code).await;
    get(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, location_id = id))]
pub async fn update(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: LocationInput,
) -> Result<Location, AppError> {
    let (code, description) = validate(&input)?;
    let result = sqlx::query(
        r#"
        update locations set short_code = $1, short_code_canonical = $2, description = $3,
            updated_at = $4
        where id = $5
        "#,
    )
    .bind(&code)
    .bind(code.to_lowercase())
    .bind(&description)
    .bind(request.state.now())
    .bind(id)
    .execute(request.state.db.pool())
    .await
    .map_err(unique_as(
        "short_code",
        t("A location with this short code already exists."),
    ))?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record(request, caller, Event::LocationUpdated, id, &code).await;
    get(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, location_id = id))]
pub async fn delete(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let guarded = Guarded {
        table: "locations",
        label: "short_code",
        thing: "location",
        used_by: ("node", "nodes"),
        count_users: "select count(*) from nodes where location_id = $1",
        also_delete: &[],
    };
    let code = delete_unless_used(&request.state, &guarded, id).await?;
    record(request, caller, Event::LocationDeleted, id, &code).await;
    Ok(())
}
