//! Panel-wide settings chosen by a root admin.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who must use two-factor authentication, panel-wide. A role's "require two factor" can only
/// add to this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactorPolicy {
    /// Nobody by default.
    #[default]
    None,
    /// Root admins and every holder of an admin permission.
    Admins,
    /// Every user.
    Everyone,
}

impl TwoFactorPolicy {
    pub const ALL: [TwoFactorPolicy; 3] = [Self::None, Self::Admins, Self::Everyone];

    pub fn key(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Admins => "admins",
            Self::Everyone => "everyone",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.key() == key)
    }

    /// Whether a user must have two-factor on, given the role's own requirement.
    pub fn requires(
        self,
        is_admin: bool,
        has_admin_permissions: bool,
        role_requires: bool,
    ) -> bool {
        role_requires
            || match self {
                Self::None => false,
                Self::Admins => is_admin || has_admin_permissions,
                Self::Everyone => true,
            }
    }
}

/// The panel's two-factor policy. Root admins only.
#[server(prefix = "/api", endpoint = "admin/settings/two-factor-policy", input = server_fn::codec::GetUrl)]
pub async fn get_two_factor_policy() -> Result<TwoFactorPolicy, AppError> {
    let (request, _) = crate::context::request::root().await?;
    let row = sqlx::query("select value from settings where key = 'two_factor_policy'")
        .fetch_optional(request.state.db.pool())
        .await?;
    let value: Option<String> = row
        .map(|row| sqlx::Row::try_get(&row, "value"))
        .transpose()?;
    Ok(value
        .as_deref()
        .and_then(TwoFactorPolicy::from_key)
        .unwrap_or_default())
}

/// Sets the panel's two-factor policy; confined users feel it on their next request. Root
/// admins only.
#[server(prefix = "/api", endpoint = "admin/settings/two-factor-policy/set")]
pub async fn set_two_factor_policy(policy: TwoFactorPolicy) -> Result<(), AppError> {
    use crate::activity::server::{record, Entry};
    use crate::activity::Event;

    let (request, caller) = crate::context::request::root().await?;
    let state = &request.state;
    sqlx::query(
        r#"
        insert into settings (key, value) values ('two_factor_policy', $1)
        on conflict (key) do update set value = excluded.value
        "#,
    )
    .bind(policy.key())
    .execute(state.db.pool())
    .await?;
    let entry = Entry::new(Event::TwoFactorPolicyChanged)
        .actor(caller.user.id, &caller.user.username)
        .details(serde_json::json!({ "policy": policy.key() }));
    record(&state.db, state.now(), &request.origin, entry).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_only_tightens_the_policy() {
        for policy in TwoFactorPolicy::ALL {
            for is_admin in [false, true] {
                for perms in [false, true] {
                    let without = policy.requires(is_admin, perms, false);
                    assert!(
                        policy.requires(is_admin, perms, true),
                        "the role demands it"
                    );
                    if without {
                        assert!(policy.requires(is_admin, perms, true));
                    }
                }
            }
        }
        assert!(!TwoFactorPolicy::None.requires(true, true, false));
        assert!(TwoFactorPolicy::Admins.requires(false, true, false));
        assert!(!TwoFactorPolicy::Admins.requires(false, false, false));
        assert!(TwoFactorPolicy::Everyone.requires(false, false, false));
    }
}
