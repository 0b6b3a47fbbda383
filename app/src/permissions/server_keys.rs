//! Server permissions (design.md section 2): each allows one action on one server, granted to
//! sub-users and, by roles, across all servers. The stable dotted key is what the database
//! stores; nothing else spells a key.

use serde::{Deserialize, Serialize};

/// A key that allows one action on one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ServerPermission {
    /// `control.read-console`: Read the console.
    ControlReadConsole,
    /// `control.console`: Send console commands.
    ControlConsole,
    /// `control.start`: Start the server.
    ControlStart,
    /// `control.stop`: Stop the server.
    ControlStop,
    /// `control.restart`: Restart the server.
    ControlRestart,
    /// `subusers.create`: Add sub-users.
    SubusersCreate,
    /// `subusers.read`: See sub-users.
    SubusersRead,
    /// `subusers.update`: Change sub-users' permissions.
    SubusersUpdate,
    /// `subusers.delete`: Remove sub-users.
    SubusersDelete,
    /// `files.create`: Create files.
    FilesCreate,
    /// `files.read`: List files.
    FilesRead,
    /// `files.read-content`: Read file contents.
    FilesReadContent,
    /// `files.update`: Change files.
    FilesUpdate,
    /// `files.delete`: Delete files.
    FilesDelete,
    /// `files.archive`: Archive and extract files.
    FilesArchive,
    /// `files.sftp`: Connect over SFTP.
    FilesSftp,
    /// `backups.create`: Create backups.
    BackupsCreate,
    /// `backups.read`: See backups.
    BackupsRead,
    /// `backups.download`: Download backups.
    BackupsDownload,
    /// `backups.restore`: Restore backups.
    BackupsRestore,
    /// `backups.delete`: Delete backups.
    BackupsDelete,
    /// `allocations.read`: See allocations.
    AllocationsRead,
    /// `allocations.create`: Add allocations.
    AllocationsCreate,
    /// `allocations.update`: Change allocations.
    AllocationsUpdate,
    /// `allocations.delete`: Remove allocations.
    AllocationsDelete,
    /// `startup.read`: See startup variables.
    StartupRead,
    /// `startup.update`: Change startup variables.
    StartupUpdate,
    /// `startup.docker-image`: Change the Docker image.
    StartupDockerImage,
    /// `databases.create`: Create databases.
    DatabasesCreate,
    /// `databases.read`: See databases.
    DatabasesRead,
    /// `databases.read-password`: See database passwords.
    DatabasesReadPassword,
    /// `databases.update`: Change databases.
    DatabasesUpdate,
    /// `databases.delete`: Delete databases.
    DatabasesDelete,
    /// `schedules.create`: Create schedules.
    SchedulesCreate,
    /// `schedules.read`: See schedules.
    SchedulesRead,
    /// `schedules.update`: Change schedules.
    SchedulesUpdate,
    /// `schedules.delete`: Delete schedules.
    SchedulesDelete,
    /// `settings.rename`: Rename the server.
    SettingsRename,
    /// `settings.reinstall`: Reinstall the server.
    SettingsReinstall,
    /// `activity.read`: Read the server's activity.
    ActivityRead,
    /// `activity.read-ip`: See IP addresses in the server's activity.
    ActivityReadIp,
}

impl ServerPermission {
    /// Every permission, in catalogue order.
    pub const ALL: &'static [ServerPermission] = &[
        ServerPermission::ControlReadConsole,
        ServerPermission::ControlConsole,
        ServerPermission::ControlStart,
        ServerPermission::ControlStop,
        ServerPermission::ControlRestart,
        ServerPermission::SubusersCreate,
        ServerPermission::SubusersRead,
        ServerPermission::SubusersUpdate,
        ServerPermission::SubusersDelete,
        ServerPermission::FilesCreate,
        ServerPermission::FilesRead,
        ServerPermission::FilesReadContent,
        ServerPermission::FilesUpdate,
        ServerPermission::FilesDelete,
        ServerPermission::FilesArchive,
        ServerPermission::FilesSftp,
        ServerPermission::BackupsCreate,
        ServerPermission::BackupsRead,
        ServerPermission::BackupsDownload,
        ServerPermission::BackupsRestore,
        ServerPermission::BackupsDelete,
        ServerPermission::AllocationsRead,
        ServerPermission::AllocationsCreate,
        ServerPermission::AllocationsUpdate,
        ServerPermission::AllocationsDelete,
        ServerPermission::StartupRead,
        ServerPermission::StartupUpdate,
        ServerPermission::StartupDockerImage,
        ServerPermission::DatabasesCreate,
        ServerPermission::DatabasesRead,
        ServerPermission::DatabasesReadPassword,
        ServerPermission::DatabasesUpdate,
        ServerPermission::DatabasesDelete,
        ServerPermission::SchedulesCreate,
        ServerPermission::SchedulesRead,
        ServerPermission::SchedulesUpdate,
        ServerPermission::SchedulesDelete,
        ServerPermission::SettingsRename,
        ServerPermission::SettingsReinstall,
        ServerPermission::ActivityRead,
        ServerPermission::ActivityReadIp,
    ];

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            ServerPermission::ControlReadConsole => "control.read-console",
            ServerPermission::ControlConsole => "control.console",
            ServerPermission::ControlStart => "control.start",
            ServerPermission::ControlStop => "control.stop",
            ServerPermission::ControlRestart => "control.restart",
            ServerPermission::SubusersCreate => "subusers.create",
            ServerPermission::SubusersRead => "subusers.read",
            ServerPermission::SubusersUpdate => "subusers.update",
            ServerPermission::SubusersDelete => "subusers.delete",
            ServerPermission::FilesCreate => "files.create",
            ServerPermission::FilesRead => "files.read",
            ServerPermission::FilesReadContent => "files.read-content",
            ServerPermission::FilesUpdate => "files.update",
            ServerPermission::FilesDelete => "files.delete",
            ServerPermission::FilesArchive => "files.archive",
            ServerPermission::FilesSftp => "files.sftp",
            ServerPermission::BackupsCreate => "backups.create",
            ServerPermission::BackupsRead => "backups.read",
            ServerPermission::BackupsDownload => "backups.download",
            ServerPermission::BackupsRestore => "backups.restore",
            ServerPermission::BackupsDelete => "backups.delete",
            ServerPermission::AllocationsRead => "allocations.read",
            ServerPermission::AllocationsCreate => "allocations.create",
            ServerPermission::AllocationsUpdate => "allocations.update",
            ServerPermission::AllocationsDelete => "allocations.delete",
            ServerPermission::StartupRead => "startup.read",
            ServerPermission::StartupUpdate => "startup.update",
            ServerPermission::StartupDockerImage => "startup.docker-image",
            ServerPermission::DatabasesCreate => "databases.create",
            ServerPermission::DatabasesRead => "databases.read",
            ServerPermission::DatabasesReadPassword => "databases.read-password",
            ServerPermission::DatabasesUpdate => "databases.update",
            ServerPermission::DatabasesDelete => "databases.delete",
            ServerPermission::SchedulesCreate => "schedules.create",
            ServerPermission::SchedulesRead => "schedules.read",
            ServerPermission::SchedulesUpdate => "schedules.update",
            ServerPermission::SchedulesDelete => "schedules.delete",
            ServerPermission::SettingsRename => "settings.rename",
            ServerPermission::SettingsReinstall => "settings.reinstall",
            ServerPermission::ActivityRead => "activity.read",
            ServerPermission::ActivityReadIp => "activity.read-ip",
        }
    }

    /// The group the operator sees it under.
    pub fn group(self) -> &'static str {
        match self {
            ServerPermission::ControlReadConsole
            | ServerPermission::ControlConsole
            | ServerPermission::ControlStart
            | ServerPermission::ControlStop
            | ServerPermission::ControlRestart => "Control",
            ServerPermission::SubusersCreate
            | ServerPermission::SubusersRead
            | ServerPermission::SubusersUpdate
            | ServerPermission::SubusersDelete => "Sub-users",
            ServerPermission::FilesCreate
            | ServerPermission::FilesRead
            | ServerPermission::FilesReadContent
            | ServerPermission::FilesUpdate
            | ServerPermission::FilesDelete
            | ServerPermission::FilesArchive
            | ServerPermission::FilesSftp => "Files",
            ServerPermission::BackupsCreate
            | ServerPermission::BackupsRead
            | ServerPermission::BackupsDownload
            | ServerPermission::BackupsRestore
            | ServerPermission::BackupsDelete => "Backups",
            ServerPermission::AllocationsRead
            | ServerPermission::AllocationsCreate
            | ServerPermission::AllocationsUpdate
            | ServerPermission::AllocationsDelete => "Allocations",
            ServerPermission::StartupRead
            | ServerPermission::StartupUpdate
            | ServerPermission::StartupDockerImage => "Startup",
            ServerPermission::DatabasesCreate
            | ServerPermission::DatabasesRead
            | ServerPermission::DatabasesReadPassword
            | ServerPermission::DatabasesUpdate
            | ServerPermission::DatabasesDelete => "Databases",
            ServerPermission::SchedulesCreate
            | ServerPermission::SchedulesRead
            | ServerPermission::SchedulesUpdate
            | ServerPermission::SchedulesDelete => "Schedules",
            ServerPermission::SettingsRename | ServerPermission::SettingsReinstall => "Settings",
            ServerPermission::ActivityRead | ServerPermission::ActivityReadIp => "Activity",
        }
    }

    /// What it allows, for the permission pickers.
    pub fn description(self) -> &'static str {
        match self {
            ServerPermission::ControlReadConsole => "Read the console",
            ServerPermission::ControlConsole => "Send console commands",
            ServerPermission::ControlStart => "Start the server",
            ServerPermission::ControlStop => "Stop the server",
            ServerPermission::ControlRestart => "Restart the server",
            ServerPermission::SubusersCreate => "Add sub-users",
            ServerPermission::SubusersRead => "See sub-users",
            ServerPermission::SubusersUpdate => "Change sub-users' permissions",
            ServerPermission::SubusersDelete => "Remove sub-users",
            ServerPermission::FilesCreate => "Create files",
            ServerPermission::FilesRead => "List files",
            ServerPermission::FilesReadContent => "Read file contents",
            ServerPermission::FilesUpdate => "Change files",
            ServerPermission::FilesDelete => "Delete files",
            ServerPermission::FilesArchive => "Archive and extract files",
            ServerPermission::FilesSftp => "Connect over SFTP",
            ServerPermission::BackupsCreate => "Create backups",
            ServerPermission::BackupsRead => "See backups",
            ServerPermission::BackupsDownload => "Download backups",
            ServerPermission::BackupsRestore => "Restore backups",
            ServerPermission::BackupsDelete => "Delete backups",
            ServerPermission::AllocationsRead => "See allocations",
            ServerPermission::AllocationsCreate => "Add allocations",
            ServerPermission::AllocationsUpdate => "Change allocations",
            ServerPermission::AllocationsDelete => "Remove allocations",
            ServerPermission::StartupRead => "See startup variables",
            ServerPermission::StartupUpdate => "Change startup variables",
            ServerPermission::StartupDockerImage => "Change the Docker image",
            ServerPermission::DatabasesCreate => "Create databases",
            ServerPermission::DatabasesRead => "See databases",
            ServerPermission::DatabasesReadPassword => "See database passwords",
            ServerPermission::DatabasesUpdate => "Change databases",
            ServerPermission::DatabasesDelete => "Delete databases",
            ServerPermission::SchedulesCreate => "Create schedules",
            ServerPermission::SchedulesRead => "See schedules",
            ServerPermission::SchedulesUpdate => "Change schedules",
            ServerPermission::SchedulesDelete => "Delete schedules",
            ServerPermission::SettingsRename => "Rename the server",
            ServerPermission::SettingsReinstall => "Reinstall the server",
            ServerPermission::ActivityRead => "Read the server's activity",
            ServerPermission::ActivityReadIp => "See IP addresses in the server's activity",
        }
    }

    /// Parses a stored key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.key() == key)
    }
}

impl TryFrom<String> for ServerPermission {
    type Error = String;

    fn try_from(key: String) -> Result<Self, String> {
        Self::from_key(&key).ok_or_else(|| format!("unknown permission `{key}`"))
    }
}

impl From<ServerPermission> for String {
    fn from(permission: ServerPermission) -> String {
        permission.key().to_owned()
    }
}
