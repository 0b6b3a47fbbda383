//! Users: what an account is, how its fields are validated, and how accounts are created.

#[cfg(feature = "ssr")]
pub mod server;
pub mod validation;

use crate::permissions::AdminPermission;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The languages the interface offers, as (code, name in that language).
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("de", "Deutsch"), ("fr", "Français")];

/// A password travelling from a form to the server.
///
/// Its `Debug` output is redacted so it cannot reach a log by accident. It serialises only
/// because the browser must send it; the server never sends one back.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw text, for the policy check and hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A role as other records refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: i64,
    pub name: String,
}

/// The signed-in user as the interface needs them, resolved from fresh rows on every request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: String,
    pub is_admin: bool,
    pub role: Option<RoleRef>,
    /// Effective admin permissions (everything for a root admin).
    pub admin_permissions: BTreeSet<AdminPermission>,
    pub two_factor_enabled: bool,
    /// The global policy or the role demands two-factor.
    pub two_factor_required: bool,
    /// The admin acting as this user right now, if this is an impersonation.
    #[serde(default)]
    pub impersonated_by: Option<String>,
}

impl SessionUser {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Must enrol in two-factor before doing anything but managing the account.
    pub fn confined(&self) -> bool {
        self.two_factor_required && !self.two_factor_enabled
    }

    pub fn can(&self, permission: AdminPermission) -> bool {
        self.admin_permissions.contains(&permission)
    }
}
