//! Activity events: the append-only record of who did what, to which subject, from where.
//!
//! Event keys take the form `area:thing.verb` and are stable: they are stored, filtered on and
//! exported, so a key is never renamed once released.

#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

/// Every kind of event Gatehouse records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Event {
    SignInSucceeded,
    SignInFailed,
    SignedOut,
    AccountLocked,
    PasswordSetByLink,
    FirstAdminCreated,
    UserCreated,
    ProfileUpdated,
    EmailChanged,
    PasswordChanged,
    SessionRevoked,
    OtherSessionsRevoked,
    TwoFactorFailed,
    RecoveryCodeUsed,
    PasswordResetRequested,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodesRegenerated,
    TwoFactorDisabledByAdmin,
    RoleCreated,
    RoleUpdated,
    RoleDuplicated,
    RoleDeleted,
    TwoFactorPolicyChanged,
    PasswordCheckFailed,
    UserUpdated,
    UserDeleted,
    PasswordResetSent,
    UserUnlocked,
}

impl Event {
    pub const ALL: &'static [Event] = &[
        Event::SignInSucceeded,
        Event::SignInFailed,
        Event::SignedOut,
        Event::AccountLocked,
        Event::PasswordSetByLink,
        Event::FirstAdminCreated,
        Event::UserCreated,
        Event::ProfileUpdated,
        Event::EmailChanged,
        Event::PasswordChanged,
        Event::SessionRevoked,
        Event::OtherSessionsRevoked,
        Event::TwoFactorFailed,
        Event::RecoveryCodeUsed,
        Event::PasswordResetRequested,
        Event::TwoFactorEnabled,
        Event::TwoFactorDisabled,
        Event::RecoveryCodesRegenerated,
        Event::TwoFactorDisabledByAdmin,
        Event::RoleCreated,
        Event::RoleUpdated,
        Event::RoleDuplicated,
        Event::RoleDeleted,
        Event::TwoFactorPolicyChanged,
        Event::PasswordCheckFailed,
        Event::UserUpdated,
        Event::UserDeleted,
        Event::PasswordResetSent,
        Event::UserUnlocked,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Event::SignInSucceeded => "auth:sign-in.succeeded",
            Event::SignInFailed => "auth:sign-in.failed",
            Event::SignedOut => "auth:session.signed-out",
            Event::AccountLocked => "auth:account.locked",
            Event::PasswordSetByLink => "auth:password.set-by-link",
            Event::FirstAdminCreated => "setup:admin.created",
            Event::UserCreated => "admin:user.created",
            Event::ProfileUpdated => "account:profile.updated",
            Event::EmailChanged => "account:email.changed",
            Event::PasswordChanged => "account:password.changed",
            Event::SessionRevoked => "account:session.revoked",
            Event::OtherSessionsRevoked => "account:sessions.revoked-others",
            Event::TwoFactorFailed => "auth:two-factor.failed",
            Event::RecoveryCodeUsed => "auth:recovery-code.used",
            Event::PasswordResetRequested => "auth:password-reset.requested",
            Event::TwoFactorEnabled => "account:two-factor.enabled",
            Event::TwoFactorDisabled => "account:two-factor.disabled",
            Event::RecoveryCodesRegenerated => "account:recovery-codes.regenerated",
            Event::TwoFactorDisabledByAdmin => "admin:two-factor.disabled",
            Event::RoleCreated => "admin:role.created",
            Event::RoleUpdated => "admin:role.updated",
            Event::RoleDuplicated => "admin:role.duplicated",
            Event::RoleDeleted => "admin:role.deleted",
            Event::TwoFactorPolicyChanged => "admin:two-factor-policy.changed",
            Event::PasswordCheckFailed => "account:password-check.failed",
            Event::UserUpdated => "admin:user.updated",
            Event::UserDeleted => "admin:user.deleted",
            Event::PasswordResetSent => "admin:user.password-reset-sent",
            Event::UserUnlocked => "admin:user.unlocked",
        }
    }

    /// A sentence for the log views.
    pub fn description(self) -> &'static str {
        match self {
            Event::SignInSucceeded => "Signed in",
            Event::SignInFailed => "Failed sign-in attempt",
            Event::SignedOut => "Signed out",
            Event::AccountLocked => "Account locked after repeated failed sign-ins",
            Event::PasswordSetByLink => "Set a password through a one-time link",
            Event::FirstAdminCreated => "Created the first administrator during setup",
            Event::UserCreated => "Created a user",
            Event::ProfileUpdated => "Updated the profile",
            Event::EmailChanged => "Changed the email address",
            Event::PasswordChanged => "Changed the password",
            Event::SessionRevoked => "Signed out a session",
            Event::OtherSessionsRevoked => "Signed out all other sessions",
            Event::TwoFactorFailed => "Wrong two-factor code at sign-in",
            Event::RecoveryCodeUsed => "Signed in with a recovery code",
            Event::PasswordResetRequested => "Requested a password reset email",
            Event::TwoFactorEnabled => "Turned on two-factor authentication",
            Event::TwoFactorDisabled => "Turned off two-factor authentication",
            Event::RecoveryCodesRegenerated => "Replaced the recovery codes",
            Event::TwoFactorDisabledByAdmin => {
                "Two-factor authentication turned off by an administrator"
            }
            Event::RoleCreated => "Created a role",
            Event::RoleUpdated => "Changed a role",
            Event::RoleDuplicated => "Duplicated a role",
            Event::RoleDeleted => "Deleted a role",
            Event::TwoFactorPolicyChanged => "Changed the two-factor policy",
            Event::PasswordCheckFailed => "Wrong current password on an account change",
            Event::UserUpdated => "Changed a user",
            Event::UserDeleted => "Deleted a user",
            Event::PasswordResetSent => "Sent a user a password link",
            Event::UserUnlocked => "Unlocked a user after failed sign-ins",
        }
    }

    pub fn from_key(key: &str) -> Option<Event> {
        Event::ALL.iter().copied().find(|event| event.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_shaped_area_colon_thing_dot_verb() {
        let mut seen = std::collections::HashSet::new();
        for event in Event::ALL {
            let key = event.key();
            assert!(seen.insert(key), "duplicate key {key}");
            let (area, rest) = key.split_once(':').expect("area:");
            assert!(!area.is_empty() && rest.contains('.'), "{key}");
            assert_eq!(Event::from_key(key), Some(*event));
        }
    }
}
