//! Backup configurations: where server backups go, either an S3 bucket or a Restic
//! repository. Managed with the `backup-configurations.*` admin permissions. The S3 secret key
//! and the Restic password are write-only: the browser learns only whether one is set.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A backup configuration as the panel shows it: every setting but the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupConfiguration {
    pub id: i64,
    pub name: String,
    /// `s3` or `restic`.
    pub kind: String,
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub repository: String,
    /// Whether a secret key or password is stored.
    pub secret_set: bool,
    /// How many servers use it.
    pub servers: i64,
}

/// What the form sends. `secret` left empty keeps the stored one. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfigurationInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub access_key: String,
    #[serde(default)]
    pub repository: String,
    #[serde(default)]
    pub secret: Option<crate::users::Password>,
}

/// Every backup configuration. Needs `backup-configurations.read`.
#[server(prefix = "/api", endpoint = "admin/backup-configurations", input = server_fn::codec::GetUrl)]
pub async fn list_backup_configurations() -> Result<Vec<BackupConfiguration>, AppError> {
    use crate::permissions::AdminPermission;
    let (request, _) =
        crate::context::request::admin(AdminPermission::BackupConfigurationsRead).await?;
    server::list(&request.state).await
}

/// Creates a backup configuration. Needs `backup-configurations.create`.
#[server(prefix = "/api", endpoint = "admin/backup-configurations/create", input = server_fn::codec::Json)]
pub async fn create_backup_configuration(
    input: BackupConfigurationInput,
) -> Result<BackupConfiguration, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::BackupConfigurationsCreate).await?;
    server::create(&request, &caller, input).await
}

/// Changes a backup configuration. Needs `backup-configurations.update`.
#[server(prefix = "/api", endpoint = "admin/backup-configurations/update", input = server_fn::codec::Json)]
pub async fn update_backup_configuration(
    id: i64,
    input: BackupConfigurationInput,
) -> Result<BackupConfiguration, AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::BackupConfigurationsUpdate).await?;
    server::update(&request, &caller, id, input).await
}

/// Deletes a backup configuration no server uses. Needs `backup-configurations.delete`.
#[server(prefix = "/api", endpoint = "admin/backup-configurations/delete", input = server_fn::codec::Json)]
pub async fn delete_backup_configuration(id: i64) -> Result<(), AppError> {
    use crate::permissions::AdminPermission;
    let (request, caller) =
        crate::context::request::admin(AdminPermission::BackupConfigurationsDelete).await?;
    server::delete(&request, &caller, id).await
}
