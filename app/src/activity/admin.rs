//! The admin activity log over the one append-only store: every event, filtered by event type,
//! actor, subject and time range, newest first with keyset paging, each row with its details;
//! a CSV export of the filtered view; and how long each kind of activity is kept.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of the admin log, with everything the store holds about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRow {
    pub id: i64,
    pub created_at: i64,
    pub event: String,
    pub description: String,
    pub actor: Option<String>,
    pub impersonator: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The event's details as JSON text.
    pub details: Option<String>,
}

/// A page of the admin log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub rows: Vec<LogRow>,
    /// Pass as `before` for the next (older) page; `None` at the end.
    pub next_before: Option<i64>,
}

/// What the log is filtered by; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    /// An event key, such as `admin:user.created`.
    pub event: Option<String>,
    /// The acting user's name as recorded (kept after the account is deleted).
    pub actor: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
}

/// How many days each kind of activity is kept; 0 keeps it forever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Sign-ins and account changes (`auth:`, `account:`, `setup:`).
    pub account_days: i64,
    /// Server events (`server:`).
    pub server_days: i64,
    /// Admin events (`admin:`, `system:`).
    pub admin_days: i64,
}

/// The admin log, filtered, 50 rows a page. Needs `activity.read`.
#[server(prefix = "/api", endpoint = "admin/activity", input = server_fn::codec::GetUrl)]
#[allow(
    clippy::too_many_arguments,
    reason = "each filter travels as its own query parameter"
)]
pub async fn admin_activity(
    event: Option<String>,
    actor: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
    before: Option<i64>,
) -> Result<LogPage, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::ActivityRead).await?;
    let filter = LogFilter {
        event,
        actor,
        subject_type,
        subject_id,
        from,
        to,
    };
    super::server::admin_page(&request.state, &filter, before).await
}

/// The filtered log as CSV, newest first, at most [`super::server::EXPORT_LIMIT`] rows. Needs
/// `activity.read`.
#[server(prefix = "/api", endpoint = "admin/activity/export", input = server_fn::codec::GetUrl)]
pub async fn export_activity(
    event: Option<String>,
    actor: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<String, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) = crate::context::request::admin(AdminPermission::ActivityRead).await?;
    let filter = LogFilter {
        event,
        actor,
        subject_type,
        subject_id,
        from,
        to,
    };
    super::server::export_csv(&request.state, &filter).await
}

/// How long activity is kept. Root admins only.
#[server(prefix = "/api", endpoint = "admin/settings/retention", input = server_fn::codec::GetUrl)]
pub async fn get_retention() -> Result<Retention, AppError> {
    let (request, _) = crate::context::request::root().await?;
    super::server::retention(&request.state).await
}

/// Sets how long activity is kept (0 to 36,500 days; 0 keeps it forever). Root admins only.
#[server(prefix = "/api", endpoint = "admin/settings/retention/set")]
pub async fn set_retention(
    account_days: i64,
    server_days: i64,
    admin_days: i64,
) -> Result<Retention, AppError> {
    let (request, caller) = crate::context::request::root().await?;
    let retention = Retention {
        account_days,
        server_days,
        admin_days,
    };
    super::server::set_retention(&request, &caller, retention).await
}

/// Encodes text for a `data:` address, so an export downloads without another request.
pub fn data_url(mime: &str, text: &str) -> String {
    let mut out = format!("data:{mime};charset=utf-8,");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
