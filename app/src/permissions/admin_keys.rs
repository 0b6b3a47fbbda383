//! Admin permissions (design.md section 2): each opens one part of the admin area. The
//! stable dotted key is what the database stores; nothing else spells a key.

use serde::{Deserialize, Serialize};

/// A key that opens one part of the admin area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AdminPermission {
    /// `servers.create`: Create servers.
    ServersCreate,
    /// `servers.read`: See every server and its settings.
    ServersRead,
    /// `servers.update`: Change server details and limits.
    ServersUpdate,
    /// `servers.delete`: Delete servers.
    ServersDelete,
    /// `servers.suspend`: Suspend and unsuspend servers.
    ServersSuspend,
    /// `servers.transfer`: Transfer servers between nodes.
    ServersTransfer,
    /// `servers.allocations`: Manage server allocations.
    ServersAllocations,
    /// `servers.databases`: Manage server databases.
    ServersDatabases,
    /// `servers.backups`: Manage server backups.
    ServersBackups,
    /// `servers.variables`: Change server startup variables.
    ServersVariables,
    /// `nodes.create`: Create nodes.
    NodesCreate,
    /// `nodes.read`: See nodes.
    NodesRead,
    /// `nodes.update`: Change nodes.
    NodesUpdate,
    /// `nodes.delete`: Delete nodes.
    NodesDelete,
    /// `nodes.allocations`: Manage node allocations.
    NodesAllocations,
    /// `nodes.configuration`: See and reset node daemon configuration.
    NodesConfiguration,
    /// `nodes.logs`: Read node logs.
    NodesLogs,
    /// `nodes.transfers`: Run transfers between nodes.
    NodesTransfers,
    /// `users.create`: Create users.
    UsersCreate,
    /// `users.read`: See users.
    UsersRead,
    /// `users.update`: Change users.
    UsersUpdate,
    /// `users.delete`: Delete users.
    UsersDelete,
    /// `users.reset-password`: Send password reset emails.
    UsersResetPassword,
    /// `users.disable-two-factor`: Turn off a user's two-factor authentication.
    UsersDisableTwoFactor,
    /// `users.impersonate`: Act as another user.
    UsersImpersonate,
    /// `roles.create`: Create roles.
    RolesCreate,
    /// `roles.read`: See roles.
    RolesRead,
    /// `roles.update`: Change roles.
    RolesUpdate,
    /// `roles.delete`: Delete roles.
    RolesDelete,
    /// `roles.assign`: Give roles to users.
    RolesAssign,
    /// `nests.create`: Create nests.
    NestsCreate,
    /// `nests.read`: See nests.
    NestsRead,
    /// `nests.update`: Change nests.
    NestsUpdate,
    /// `nests.delete`: Delete nests.
    NestsDelete,
    /// `eggs.create`: Create eggs.
    EggsCreate,
    /// `eggs.read`: See eggs.
    EggsRead,
    /// `eggs.update`: Change eggs.
    EggsUpdate,
    /// `eggs.delete`: Delete eggs.
    EggsDelete,
    /// `eggs.move`: Move eggs between nests.
    EggsMove,
    /// `eggs.variables`: Change egg variables.
    EggsVariables,
    /// `eggs.install-script`: Change egg install scripts.
    EggsInstallScript,
    /// `locations.create`: Create locations.
    LocationsCreate,
    /// `locations.read`: See locations.
    LocationsRead,
    /// `locations.update`: Change locations.
    LocationsUpdate,
    /// `locations.delete`: Delete locations.
    LocationsDelete,
    /// `backup-configurations.create`: Create backup configurations.
    BackupConfigurationsCreate,
    /// `backup-configurations.read`: See backup configurations.
    BackupConfigurationsRead,
    /// `backup-configurations.update`: Change backup configurations.
    BackupConfigurationsUpdate,
    /// `backup-configurations.delete`: Delete backup configurations.
    BackupConfigurationsDelete,
    /// `activity.read`: Read the admin and server activity logs.
    ActivityRead,
}

impl AdminPermission {
    /// Every permission, in catalogue order.
    pub const ALL: &'static [AdminPermission] = &[
        AdminPermission::ServersCreate,
        AdminPermission::ServersRead,
        AdminPermission::ServersUpdate,
        AdminPermission::ServersDelete,
        AdminPermission::ServersSuspend,
        AdminPermission::ServersTransfer,
        AdminPermission::ServersAllocations,
        AdminPermission::ServersDatabases,
        AdminPermission::ServersBackups,
        AdminPermission::ServersVariables,
        AdminPermission::NodesCreate,
        AdminPermission::NodesRead,
        AdminPermission::NodesUpdate,
        AdminPermission::NodesDelete,
        AdminPermission::NodesAllocations,
        AdminPermission::NodesConfiguration,
        AdminPermission::NodesLogs,
        AdminPermission::NodesTransfers,
        AdminPermission::UsersCreate,
        AdminPermission::UsersRead,
        AdminPermission::UsersUpdate,
        AdminPermission::UsersDelete,
        AdminPermission::UsersResetPassword,
        AdminPermission::UsersDisableTwoFactor,
        AdminPermission::UsersImpersonate,
        AdminPermission::RolesCreate,
        AdminPermission::RolesRead,
        AdminPermission::RolesUpdate,
        AdminPermission::RolesDelete,
        AdminPermission::RolesAssign,
        AdminPermission::NestsCreate,
        AdminPermission::NestsRead,
        AdminPermission::NestsUpdate,
        AdminPermission::NestsDelete,
        AdminPermission::EggsCreate,
        AdminPermission::EggsRead,
        AdminPermission::EggsUpdate,
        AdminPermission::EggsDelete,
        AdminPermission::EggsMove,
        AdminPermission::EggsVariables,
        AdminPermission::EggsInstallScript,
        AdminPermission::LocationsCreate,
        AdminPermission::LocationsRead,
        AdminPermission::LocationsUpdate,
        AdminPermission::LocationsDelete,
        AdminPermission::BackupConfigurationsCreate,
        AdminPermission::BackupConfigurationsRead,
        AdminPermission::BackupConfigurationsUpdate,
        AdminPermission::BackupConfigurationsDelete,
        AdminPermission::ActivityRead,
    ];

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            AdminPermission::ServersCreate => "servers.create",
            AdminPermission::ServersRead => "servers.read",
            AdminPermission::ServersUpdate => "servers.update",
            AdminPermission::ServersDelete => "servers.delete",
            AdminPermission::ServersSuspend => "servers.suspend",
            AdminPermission::ServersTransfer => "servers.transfer",
            AdminPermission::ServersAllocations => "servers.allocations",
            AdminPermission::ServersDatabases => "servers.databases",
            AdminPermission::ServersBackups => "servers.backups",
            AdminPermission::ServersVariables => "servers.variables",
            AdminPermission::NodesCreate => "nodes.create",
            AdminPermission::NodesRead => "nodes.read",
            AdminPermission::NodesUpdate => "nodes.update",
            AdminPermission::NodesDelete => "nodes.delete",
            AdminPermission::NodesAllocations => "nodes.allocations",
            AdminPermission::NodesConfiguration => "nodes.configuration",
            AdminPermission::NodesLogs => "nodes.logs",
            AdminPermission::NodesTransfers => "nodes.transfers",
            AdminPermission::UsersCreate => "users.create",
            AdminPermission::UsersRead => "users.read",
            AdminPermission::UsersUpdate => "users.update",
            AdminPermission::UsersDelete => "users.delete",
            AdminPermission::UsersResetPassword => "users.reset-password",
            AdminPermission::UsersDisableTwoFactor => "users.disable-two-factor",
            AdminPermission::UsersImpersonate => "users.impersonate",
            AdminPermission::RolesCreate => "roles.create",
            AdminPermission::RolesRead => "roles.read",
            AdminPermission::RolesUpdate => "roles.update",
            AdminPermission::RolesDelete => "roles.delete",
            AdminPermission::RolesAssign => "roles.assign",
            AdminPermission::NestsCreate => "nests.create",
            AdminPermission::NestsRead => "nests.read",
            AdminPermission::NestsUpdate => "nests.update",
            AdminPermission::NestsDelete => "nests.delete",
            AdminPermission::EggsCreate => "eggs.create",
            AdminPermission::EggsRead => "eggs.read",
            AdminPermission::EggsUpdate => "eggs.update",
            AdminPermission::EggsDelete => "eggs.delete",
            AdminPermission::EggsMove => "eggs.move",
            AdminPermission::EggsVariables => "eggs.variables",
            AdminPermission::EggsInstallScript => "eggs.install-script",
            AdminPermission::LocationsCreate => "locations.create",
            AdminPermission::LocationsRead => "locations.read",
            AdminPermission::LocationsUpdate => "locations.update",
            AdminPermission::LocationsDelete => "locations.delete",
            AdminPermission::BackupConfigurationsCreate => "backup-configurations.create",
            AdminPermission::BackupConfigurationsRead => "backup-configurations.read",
            AdminPermission::BackupConfigurationsUpdate => "backup-configurations.update",
            AdminPermission::BackupConfigurationsDelete => "backup-configurations.delete",
            AdminPermission::ActivityRead => "activity.read",
        }
    }

    /// The group the operator sees it under.
    pub fn group(self) -> &'static str {
        match self {
            AdminPermission::ServersCreate
            | AdminPermission::ServersRead
            | AdminPermission::ServersUpdate
            | AdminPermission::ServersDelete
            | AdminPermission::ServersSuspend
            | AdminPermission::ServersTransfer
            | AdminPermission::ServersAllocations
            | AdminPermission::ServersDatabases
            | AdminPermission::ServersBackups
            | AdminPermission::ServersVariables => "Servers",
            AdminPermission::NodesCreate
            | AdminPermission::NodesRead
            | AdminPermission::NodesUpdate
            | AdminPermission::NodesDelete
            | AdminPermission::NodesAllocations
            | AdminPermission::NodesConfiguration
            | AdminPermission::NodesLogs
            | AdminPermission::NodesTransfers => "Nodes",
            AdminPermission::UsersCreate
            | AdminPermission::UsersRead
            | AdminPermission::UsersUpdate
            | AdminPermission::UsersDelete
            | AdminPermission::UsersResetPassword
            | AdminPermission::UsersDisableTwoFactor
            | AdminPermission::UsersImpersonate => "Users",
            AdminPermission::RolesCreate
            | AdminPermission::RolesRead
            | AdminPermission::RolesUpdate
            | AdminPermission::RolesDelete
            | AdminPermission::RolesAssign => "Roles",
            AdminPermission::NestsCreate
            | AdminPermission::NestsRead
            | AdminPermission::NestsUpdate
            | AdminPermission::NestsDelete
            | AdminPermission::EggsCreate
            | AdminPermission::EggsRead
            | AdminPermission::EggsUpdate
            | AdminPermission::EggsDelete
            | AdminPermission::EggsMove
            | AdminPermission::EggsVariables
            | AdminPermission::EggsInstallScript => "Nests and eggs",
            AdminPermission::LocationsCreate
            | AdminPermission::LocationsRead
            | AdminPermission::LocationsUpdate
            | AdminPermission::LocationsDelete => "Locations",
            AdminPermission::BackupConfigurationsCreate
            | AdminPermission::BackupConfigurationsRead
            | AdminPermission::BackupConfigurationsUpdate
            | AdminPermission::BackupConfigurationsDelete => "Backup configurations",
            AdminPermission::ActivityRead => "Activity",
        }
    }

    /// What it allows, for the permission pickers.
    pub fn description(self) -> &'static str {
        match self {
            AdminPermission::ServersCreate => "Create servers",
            AdminPermission::ServersRead => "See every server and its settings",
            AdminPermission::ServersUpdate => "Change server details and limits",
            AdminPermission::ServersDelete => "Delete servers",
            AdminPermission::ServersSuspend => "Suspend and unsuspend servers",
            AdminPermission::ServersTransfer => "Transfer servers between nodes",
            AdminPermission::ServersAllocations => "Manage server allocations",
            AdminPermission::ServersDatabases => "Manage server databases",
            AdminPermission::ServersBackups => "Manage server backups",
            AdminPermission::ServersVariables => "Change server startup variables",
            AdminPermission::NodesCreate => "Create nodes",
            AdminPermission::NodesRead => "See nodes",
            AdminPermission::NodesUpdate => "Change nodes",
            AdminPermission::NodesDelete => "Delete nodes",
            AdminPermission::NodesAllocations => "Manage node allocations",
            AdminPermission::NodesConfiguration => "See and reset node daemon configuration",
            AdminPermission::NodesLogs => "Read node logs",
            AdminPermission::NodesTransfers => "Run transfers between nodes",
            AdminPermission::UsersCreate => "Create users",
            AdminPermission::UsersRead => "See users",
            AdminPermission::UsersUpdate => "Change users",
            AdminPermission::UsersDelete => "Delete users",
            AdminPermission::UsersResetPassword => "Send password reset emails",
            AdminPermission::UsersDisableTwoFactor => "Turn off a user's two-factor authentication",
            AdminPermission::UsersImpersonate => "Act as another user",
            AdminPermission::RolesCreate => "Create roles",
            AdminPermission::RolesRead => "See roles",
            AdminPermission::RolesUpdate => "Change roles",
            AdminPermission::RolesDelete => "Delete roles",
            AdminPermission::RolesAssign => "Give roles to users",
            AdminPermission::NestsCreate => "Create nests",
            AdminPermission::NestsRead => "See nests",
            AdminPermission::NestsUpdate => "Change nests",
            AdminPermission::NestsDelete => "Delete nests",
            AdminPermission::EggsCreate => "Create eggs",
            AdminPermission::EggsRead => "See eggs",
            AdminPermission::EggsUpdate => "Change eggs",
            AdminPermission::EggsDelete => "Delete eggs",
            AdminPermission::EggsMove => "Move eggs between nests",
            AdminPermission::EggsVariables => "Change egg variables",
            AdminPermission::EggsInstallScript => "Change egg install scripts",
            AdminPermission::LocationsCreate => "Create locations",
            AdminPermission::LocationsRead => "See locations",
            AdminPermission::LocationsUpdate => "Change locations",
            AdminPermission::LocationsDelete => "Delete locations",
            AdminPermission::BackupConfigurationsCreate => "Create backup configurations",
            AdminPermission::BackupConfigurationsRead => "See backup configurations",
            AdminPermission::BackupConfigurationsUpdate => "Change backup configurations",
            AdminPermission::BackupConfigurationsDelete => "Delete backup configurations",
            AdminPermission::ActivityRead => "Read the admin and server activity logs",
        }
    }

    /// Parses a stored key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.key() == key)
    }
}

impl TryFrom<String> for AdminPermission {
    type Error = String;

    fn try_from(key: String) -> Result<Self, String> {
        Self::from_key(&key).ok_or_else(|| format!("unknown permission `{key}`"))
    }
}

impl From<AdminPermission> for String {
    fn from(permission: AdminPermission) -> String {
        permission.key().to_owned()
    }
}
