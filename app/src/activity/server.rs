//! Writing activity rows. Recording never fails the request it describes: a storage error is
//! logged with its cause and the request goes on.

use super::Event;
use crate::accounts::{ActivityPage, ActivityRow};
use crate::context::db::Db;
use crate::context::request::{Caller, Origin, Request};
use crate::context::AppState;
use crate::error::AppError;
use serde_json::Value;
use sqlx::Row;

/// Who acted. `name` is a snapshot kept on the row, so the log stays readable after the
/// account is deleted.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub name: String,
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub event: Event,
    pub actor: Option<Actor>,
    /// The admin who acted as `actor`, during an impersonation.
    pub impersonator: Option<Actor>,
    /// The kind of thing acted on (`user`, `server`, ...) and its id.
    pub subject: Option<(&'static str, i64)>,
    /// Structured details; never a password, code, token or session id.
    pub details: Value,
}

impl Entry {
    pub fn new(event: Event) -> Self {
        Self {
            event,
            actor: None,
            impersonator: None,
            subject: None,
            details: Value::Null,
        }
    }

    pub fn actor(mut self, id: i64, name: &str) -> Self {
        self.actor = Some(Actor {
            id,
            name: name.to_owned(),
        });
        self
    }

    /// The signed-in caller as the actor, and the impersonating admin, if any, beside them.
    pub fn by(mut self, caller: &Caller) -> Self {
        self.impersonator = caller.impersonator.as_ref().map(|admin| Actor {
            id: admin.id,
            name: admin.username.clone(),
        });
        self.actor(caller.user.id, &caller.user.username)
    }

    pub fn subject(mut self, kind: &'static str, id: i64) -> Self {
        self.subject = Some((kind, id));
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

impl Request {
    /// Appends `entry` to the log with this request's time and origin.
    pub async fn record(&self, entry: Entry) {
        record(&self.state.db, self.state.now(), &self.origin, entry).await;
    }
}

/// Appends `entry` to the log.
pub async fn record(db: &Db, now: i64, origin: &Origin, entry: Entry) {
    let details = match &entry.details {
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let result = sqlx::query(
        r#"
        insert into activity_log
            (created_at, event, actor_id, actor_name, impersonator_id, impersonator_name,
             subject_type, subject_id, ip, user_agent, details)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        "#,
    )
    .bind(now)
    .bind(entry.event.key())
    .bind(entry.actor.as_ref().map(|a| a.id))
    .bind(entry.actor.as_ref().map(|a| a.name.clone()))
    .bind(entry.impersonator.as_ref().map(|a| a.id))
    .bind(entry.impersonator.as_ref().map(|a| a.name.clone()))
    .bind(entry.subject.map(|(kind, _)| kind))
    .bind(entry.subject.map(|(_, id)| id))
    .bind(origin.ip.clone())
    .bind(origin.user_agent.clone())
    .bind(details)
    .execute(db.pool())
    .await;
    if let Err(error) = result {
        tracing::error!(%error, event = entry.event.key(), "could not record an activity event");
    }
}

/// Rows per activity page.
pub const PAGE: i64 = 25;

/// A page of rows matching `condition` (over `$1`, bound to `subject`), newest first, older
/// than `before`. Addresses are left out unless `with_ip`.
async fn page(
    state: &AppState,
    condition: &str,
    subject: i64,
    before: Option<i64>,
    with_ip: bool,
) -> Result<ActivityPage, AppError> {
    let rows = sqlx::query(&format!(
        r#"
        select id, created_at, event, actor_name, impersonator_name, ip
        from activity_log
        where ({condition}) and id < $2
        order by id desc
        limit $3
        "#
    ))
    .bind(subject)
    .bind(before.unwrap_or(i64::MAX))
    .bind(PAGE + 1)
    .fetch_all(state.db.pool())
    .await?;
    let mut rows = rows
        .iter()
        .map(|row| {
            let event: String = row.try_get("event")?;
            let description = Event::from_key(&event)
                .map_or_else(|| event.clone(), |e| e.description().to_owned());
            Ok(ActivityRow {
                id: row.try_get("id")?,
                created_at: row.try_get("created_at")?,
                event,
                description,
                actor: row.try_get("actor_name")?,
                impersonator: row.try_get("impersonator_name")?,
                ip: if with_ip { row.try_get("ip")? } else { None },
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let next_before = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|row| row.id)
    } else {
        None
    };
    Ok(ActivityPage { rows, next_before })
}

/// Events the user did, and events about their account (failed sign-ins, lockouts).
pub async fn account_page(
    state: &AppState,
    user_id: i64,
    before: Option<i64>,
) -> Result<ActivityPage, AppError> {
    page(
        state,
        "actor_id = $1 or (subject_type = 'user' and subject_id = $1)",
        user_id,
        before,
        true,
    )
    .await
}

/// Events on one server.
pub async fn server_page(
    state: &AppState,
    server_id: i64,
    before: Option<i64>,
    with_ip: bool,
) -> Result<ActivityPage, AppError> {
    page(
        state,
        "subject_type = 'server' and subject_id = $1",
        server_id,
        before,
        with_ip,
    )
    .await
}
