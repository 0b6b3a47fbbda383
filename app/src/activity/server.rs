//! Writing activity rows. Recording never fails the request it describes: a storage error is
//! logged with its cause and the request goes on.

use super::admin::{LogFilter, LogPage, LogRow, Retention};
use super::Event;
use crate::accounts::{ActivityPage, ActivityRow};
use crate::context::db::Db;
use crate::context::request::{Caller, Origin, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::i18n::t;
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
                .map_or_else(|| event.clone(), |e| t(e.description()).to_owned());
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

/// The most rows one export holds.
pub const EXPORT_LIMIT: i64 = 10_000;

/// Rows per admin log page.
pub const ADMIN_PAGE: i64 = 50;

/// A bound value of a dynamically built query.
enum Bind {
    Int(i64),
    Text(String),
}

/// A text filter, trimmed; empty means no filter. Control characters are refused with a field
/// message: no stored value holds one, and PostgreSQL rejects a NUL byte in any text value.
fn filter_text(field: &str, value: &Option<String>) -> Result<Option<String>, AppError> {
    let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            t("Control characters are not allowed here."),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// The `where` clause and its values for a filter (and an optional cursor). Every value is
/// bound, never spliced into the text.
fn conditions(filter: &LogFilter, before: Option<i64>) -> Result<(String, Vec<Bind>), AppError> {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    let mut add = |clause: &str, bind: Bind| {
        binds.push(bind);
        clauses.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(event) = filter_text("event", &filter.event)? {
        add("event = ?", Bind::Text(event));
    }
    if let Some(actor) = filter_text("actor", &filter.actor)? {
        add("actor_name = ?", Bind::Text(actor));
    }
    if let Some(kind) = filter_text("subject_type", &filter.subject_type)? {
        add("subject_type = ?", Bind::Text(kind));
    }
    if let Some(id) = filter.subject_id {
        add("subject_id = ?", Bind::Int(id));
    }
    // A time range also bounds the ids, found through the (created_at, id) index, so that a
    // range deep in a large log is not reached by walking every newer row. Rows are written
    // with the clock of the moment, so ids grow with time; a minute of slack covers clocks of
    // several processes that disagree a little. The exact time conditions still decide.
    const SLACK_SECS: i64 = 60;
    const FIRST_AT_OR_AFTER: &str = "coalesce((select id from activity_log where created_at >= ? \
         order by created_at, id limit 1), 9223372036854775807)";
    if let Some(from) = filter.from {
        add("created_at >= ?", Bind::Int(from));
        add(
            &format!("id >= {FIRST_AT_OR_AFTER}"),
            Bind::Int(from.saturating_sub(SLACK_SECS)),
        );
    }
    if let Some(to) = filter.to {
        add("created_at < ?", Bind::Int(to));
        add(
            &format!("id < {FIRST_AT_OR_AFTER}"),
            Bind::Int(to.saturating_add(SLACK_SECS)),
        );
    }
    if let Some(before) = before {
        add("id < ?", Bind::Int(before));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("where {}", clauses.join(" and "))
    };
    Ok((clause, binds))
}

async fn query_log(
    state: &AppState,
    filter: &LogFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<LogRow>, AppError> {
    let (clause, binds) = conditions(filter, before)?;
    let sql = format!(
        r#"
        select id, created_at, event, actor_name, impersonator_name, subject_type, subject_id,
               ip, user_agent, details
        from activity_log
        {clause}
        order by id desc
        limit {limit}
        "#
    );
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(value),
            Bind::Text(value) => query.bind(value),
        };
    }
    let rows = query.fetch_all(state.db.pool()).await?;
    rows.iter()
        .map(|row| {
            let event: String = row.try_get("event")?;
            let description = Event::from_key(&event)
                .map_or_else(|| event.clone(), |e| t(e.description()).to_owned());
            Ok(LogRow {
                id: row.try_get("id")?,
                created_at: row.try_get("created_at")?,
                event,
                description,
                actor: row.try_get("actor_name")?,
                impersonator: row.try_get("impersonator_name")?,
                subject_type: row.try_get("subject_type")?,
                subject_id: row.try_get("subject_id")?,
                ip: row.try_get("ip")?,
                user_agent: row.try_get("user_agent")?,
                details: row.try_get("details")?,
            })
        })
        .collect()
}

/// One page of the admin log.
pub async fn admin_page(
    state: &AppState,
    filter: &LogFilter,
    before: Option<i64>,
) -> Result<LogPage, AppError> {
    let mut rows = query_log(state, filter, before, ADMIN_PAGE + 1).await?;
    let next_before = if rows.len() as i64 > ADMIN_PAGE {
        rows.truncate(ADMIN_PAGE as usize);
        rows.last().map(|row| row.id)
    } else {
        None
    };
    Ok(LogPage { rows, next_before })
}

/// One CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@` defused so that a
/// spreadsheet never runs a value as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The filtered log as CSV.
pub async fn export_csv(state: &AppState, filter: &LogFilter) -> Result<String, AppError> {
    let rows = query_log(state, filter, None, EXPORT_LIMIT).await?;
    let mut out = String::from("id,time_utc,event,description,actor,impersonator,subject_type,subject_id,ip,user_agent,details\r\n");
    for row in rows {
        let fields = [
            row.id.to_string(),
            crate::accounts::display::format_utc(row.created_at),
            row.event,
            row.description,
            row.actor.unwrap_or_default(),
            row.impersonator.unwrap_or_default(),
            row.subject_type.unwrap_or_default(),
            row.subject_id.map(|id| id.to_string()).unwrap_or_default(),
            row.ip.unwrap_or_default(),
            row.user_agent.unwrap_or_default(),
            row.details.unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

const RETENTION_KEYS: [&str; 3] = [
    "retention_account_days",
    "retention_server_days",
    "retention_admin_days",
];

/// The event-key prefixes of each kind of log, in the order of [`RETENTION_KEYS`].
const KINDS: [&[&str]; 3] = [
    &["auth:", "account:", "setup:"],
    &["server:"],
    &["admin:", "system:"],
];

pub async fn retention(state: &AppState) -> Result<Retention, AppError> {
    let rows = sqlx::query("select key, value from settings where key like 'retention_%'")
        .fetch_all(state.db.pool())
        .await?;
    let mut days = [0i64; 3];
    for row in &rows {
        let key: String = row.try_get("key")?;
        let value: String = row.try_get("value")?;
        if let Some(slot) = RETENTION_KEYS.iter().position(|k| *k == key) {
            // Only `set_retention` writes these, with whole numbers; anything else keeps all.
            days[slot] = value.parse().unwrap_or_else(|_| {
                tracing::warn!(
                    key,
                    "a stored retention is not a number; keeping everything"
                );
                0
            });
        }
    }
    Ok(Retention {
        account_days: days[0],
        server_days: days[1],
        admin_days: days[2],
    })
}

pub async fn set_retention(
    request: &Request,
    caller: &Caller,
    retention: Retention,
) -> Result<Retention, AppError> {
    let mut errors = crate::users::validation::FieldErrors::default();
    let values = [
        retention.account_days,
        retention.server_days,
        retention.admin_days,
    ];
    for (key, value) in RETENTION_KEYS.iter().zip(values) {
        let field = key.trim_start_matches("retention_");
        errors.check(field, crate::fields::number(value, 0, 36_500));
    }
    errors.finish()?;
    let mut tx = request.state.db.begin_write().await?;
    for (key, value) in RETENTION_KEYS.iter().zip(values) {
        sqlx::query("delete from settings where key = $1")
            .bind(*key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("insert into settings (key, value) values ($1, $2)")
            .bind(*key)
            .bind(value.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let details = serde_json::json!({ "account_days": retention.account_days, "server_days": retention.server_days, "admin_days": retention.admin_days });
    request
        .record(
            Entry::new(Event::RetentionChanged)
                .by(caller)
                .details(details),
        )
        .await;
    Ok(retention)
}

/// Deletes activity older than its kind's retention period; the only code that deletes from
/// the log, marking its transaction so the append-only trigger lets it through. Answers how
/// many rows went.
pub async fn prune(state: &AppState) -> Result<u64, AppError> {
    let retention = retention(state).await?;
    let now = state.now();
    let mut removed = 0;
    for (prefixes, days) in KINDS.iter().zip([
        retention.account_days,
        retention.server_days,
        retention.admin_days,
    ]) {
        if days <= 0 {
            continue;
        }
        let cutoff = now - days * 86_400;
        let events: Vec<String> = prefixes
            .iter()
            .map(|p| format!("event like '{p}%'"))
            .collect();
        let mut tx = state.db.begin_write().await?;
        match state.db.backend() {
            crate::context::db::Backend::Postgres => {
                sqlx::query("set local gatehouse.pruning = 'on'")
                    .execute(&mut *tx)
                    .await?;
            }
            crate::context::db::Backend::Sqlite => {
                sqlx::query("insert into activity_log_pruning (marker) values (1)")
                    .execute(&mut *tx)
                    .await?;
            }
        }
        removed += sqlx::query(&format!(
            "delete from activity_log where created_at < $1 and ({})",
            events.join(" or ")
        ))
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if state.db.backend() == crate::context::db::Backend::Sqlite {
            sqlx::query("delete from activity_log_pruning")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    if removed > 0 {
        let entry =
            Entry::new(Event::ActivityPruned).details(serde_json::json!({ "rows": removed }));
        record(&state.db, now, &Origin::default(), entry).await;
    }
    Ok(removed)
}
