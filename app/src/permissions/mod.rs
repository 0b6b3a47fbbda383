//! Permissions: the typed catalogue and the one pure resolver (design.md section 3) that both
//! the server, on every request from fresh rows, and the browser, to hide what would be
//! refused, use to decide what a user may do.

pub mod admin_keys;
pub mod server_keys;

pub use admin_keys::AdminPermission;
pub use server_keys::ServerPermission;

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a role carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePermissions {
    pub admin: BTreeSet<AdminPermission>,
    /// Server permissions the role grants on every server.
    pub server: BTreeSet<ServerPermission>,
}

/// The facts about a user that decide their permissions.
#[derive(Debug, Clone, Copy)]
pub struct Principal<'a> {
    /// The root-admin flag.
    pub is_admin: bool,
    /// The user's role, if any.
    pub role: Option<&'a RolePermissions>,
}

/// Effective admin permissions: everything with the admin flag, otherwise the role's, nothing
/// without a role.
pub fn admin_permissions(principal: Principal<'_>) -> BTreeSet<AdminPermission> {
    if principal.is_admin {
        return AdminPermission::ALL.iter().copied().collect();
    }
    principal
        .role
        .map(|role| role.admin.clone())
        .unwrap_or_default()
}

/// What a user may do on one server, and whether they may see it at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAccess {
    pub permissions: BTreeSet<ServerPermission>,
    pub visible: bool,
}

/// Effective server permissions of a user on one server: everything for a root admin or the
/// owner; otherwise the union of their sub-user grant on it and their role's server
/// permissions. The server is visible when that union is non-empty, or they own it, or they
/// are a root admin, or their role has `servers.read`.
pub fn server_access(
    principal: Principal<'_>,
    owns: bool,
    grant: &[ServerPermission],
) -> ServerAccess {
    if principal.is_admin || owns {
        return ServerAccess {
            permissions: ServerPermission::ALL.iter().copied().collect(),
            visible: true,
        };
    }
    let mut permissions: BTreeSet<ServerPermission> = grant.iter().copied().collect();
    if let Some(role) = principal.role {
        permissions.extend(role.server.iter().copied());
    }
    let reads_all = principal
        .role
        .is_some_and(|role| role.admin.contains(&AdminPermission::ServersRead));
    let visible = !permissions.is_empty() || reads_all;
    ServerAccess {
        permissions,
        visible,
    }
}

/// The first of `wanted` that `held` lacks, if any: "nobody grants what they lack".
pub fn first_missing<'a, T: Ord + Copy + 'a>(
    held: &BTreeSet<T>,
    wanted: impl IntoIterator<Item = &'a T>,
) -> Option<T> {
    wanted.into_iter().copied().find(|key| !held.contains(key))
}

/// Parses stored keys, dropping (and reporting) any the catalogue no longer knows.
pub fn parse_keys<T: Ord>(
    keys: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> (BTreeSet<T>, Vec<String>) {
    let mut known = BTreeSet::new();
    let mut unknown = Vec::new();
    for key in keys {
        match parse(key) {
            Some(permission) => {
                known.insert(permission);
            }
            None => unknown.push(key.clone()),
        }
    }
    (known, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    fn admin_set() -> impl Strategy<Value = BTreeSet<AdminPermission>> {
        subsequence(
            AdminPermission::ALL.to_vec(),
            0..=AdminPermission::ALL.len(),
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn server_set() -> impl Strategy<Value = BTreeSet<ServerPermission>> {
        subsequence(
            ServerPermission::ALL.to_vec(),
            0..=ServerPermission::ALL.len(),
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn role() -> impl Strategy<Value = Option<RolePermissions>> {
        proptest::option::of(
            (admin_set(), server_set())
                .prop_map(|(admin, server)| RolePermissions { admin, server }),
        )
    }

    proptest! {
        #[test]
        fn the_admin_flag_gives_everything(role in role(), owns: bool, grant in server_set()) {
            let principal = Principal { is_admin: true, role: role.as_ref() };
            prop_assert_eq!(admin_permissions(principal).len(), AdminPermission::ALL.len());
            let grant: Vec<_> = grant.into_iter().collect();
            let access = server_access(principal, owns, &grant);
            prop_assert_eq!(access.permissions.len(), ServerPermission::ALL.len());
            prop_assert!(access.visible);
        }

        #[test]
        fn no_role_means_no_admin_permission(owns: bool) {
            let principal = Principal { is_admin: false, role: None };
            prop_assert!(admin_permissions(principal).is_empty());
            let _ = owns;
        }

        #[test]
        fn a_role_gives_exactly_its_admin_permissions(role in role()) {
            let principal = Principal { is_admin: false, role: role.as_ref() };
            let expected = role.as_ref().map(|r| r.admin.clone()).unwrap_or_default();
            prop_assert_eq!(admin_permissions(principal), expected);
        }

        #[test]
        fn the_owner_has_every_server_permission(role in role(), grant in server_set()) {
            let principal = Principal { is_admin: false, role: role.as_ref() };
            let grant: Vec<_> = grant.into_iter().collect();
            let access = server_access(principal, true, &grant);
            prop_assert_eq!(access.permissions.len(), ServerPermission::ALL.len());
            prop_assert!(access.visible);
        }

        #[test]
        fn grants_and_role_unite_and_a_role_never_removes_a_grant(role in role(), grant in server_set()) {
            let principal = Principal { is_admin: false, role: role.as_ref() };
            let grant_list: Vec<_> = grant.iter().copied().collect();
            let access = server_access(principal, false, &grant_list);
            let mut expected = grant.clone();
            if let Some(role) = &role {
                expected.extend(role.server.iter().copied());
            }
            prop_assert!(grant.is_subset(&access.permissions));
            prop_assert_eq!(&access.permissions, &expected);
            let reads_all = role.as_ref().is_some_and(|r| r.admin.contains(&AdminPermission::ServersRead));
            prop_assert_eq!(access.visible, !expected.is_empty() || reads_all);
        }
    }

    #[test]
    fn keys_are_unique_dotted_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for p in AdminPermission::ALL {
            assert!(seen.insert(p.key()) && p.key().contains('.'), "{}", p.key());
            assert_eq!(AdminPermission::from_key(p.key()), Some(*p));
        }
        for p in ServerPermission::ALL {
            assert!(seen.insert(p.key()) || AdminPermission::from_key(p.key()).is_some());
            assert_eq!(ServerPermission::from_key(p.key()), Some(*p));
        }
        let json = serde_json::to_string(&ServerPermission::FilesReadContent).unwrap();
        assert_eq!(json, "\"files.read-content\"");
        assert!(serde_json::from_str::<ServerPermission>("\"files.nope\"").is_err());
    }

    #[test]
    fn the_catalogue_matches_the_design() {
        assert_eq!(
            AdminPermission::ALL.len(),
            10 + 8 + 7 + 5 + 4 + 7 + 4 + 4 + 1
        );
        assert_eq!(
            ServerPermission::ALL.len(),
            5 + 4 + 7 + 5 + 4 + 3 + 5 + 4 + 2 + 2
        );
        assert_eq!(
            AdminPermission::EggsInstallScript.key(),
            "eggs.install-script"
        );
        assert_eq!(AdminPermission::EggsInstallScript.group(), "Nests and eggs");
        assert_eq!(ServerPermission::ActivityReadIp.key(), "activity.read-ip");
    }
}
