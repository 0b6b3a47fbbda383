//! User administration: search, create, edit, reset, unlock, disable two-factor, delete. Every
//! function needs its `users.*` permission, and the guards of design.md section 3 hold on
//! every path: only a root admin sets the admin flag, touches a root admin, or assigns a role
//! broader than their own; nobody deletes themselves or the last root admin.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::users::{Password, RoleRef};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of the user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: String,
    pub role: Option<RoleRef>,
    pub is_admin: bool,
    pub two_factor: bool,
    /// Locked out by failed sign-ins right now.
    pub locked: bool,
    pub created_at: i64,
}

/// A page of the user list, in username order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Pass as `after` for the next page; `None` at the end.
    pub next_after: Option<String>,
}

/// A new account from the admin form. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// A temporary password; without one, a set-password link is mailed.
    #[serde(default)]
    pub password: Option<Password>,
    #[serde(default)]
    pub role_id: Option<i64>,
    #[serde(default)]
    pub is_admin: bool,
}

/// Changes to an account from the admin form. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub role_id: Option<i64>,
    #[serde(default)]
    pub is_admin: bool,
}

fn default_language() -> String {
    "en".to_owned()
}

/// Searches users by the start of their username (or of their email, when the query contains
/// `@`). Needs `users.read`.
#[server(prefix = "/api", endpoint = "admin/users", input = server_fn::codec::GetUrl)]
pub async fn search_users(
    query: Option<String>,
    after: Option<String>,
) -> Result<UserPage, AppError> {
    let (request, _) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersRead).await?;
    server::search(
        &request.state,
        query.as_deref().unwrap_or(""),
        after.as_deref(),
    )
    .await
}

/// One user. Needs `users.read`.
#[server(prefix = "/api", endpoint = "admin/users/get", input = server_fn::codec::GetUrl)]
pub async fn get_user(id: i64) -> Result<UserRow, AppError> {
    let (request, _) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersRead).await?;
    server::get(&request.state, id).await
}

/// Creates a user. Needs `users.create` (and `roles.assign` to give a role).
#[server(prefix = "/api", endpoint = "admin/users/create", input = server_fn::codec::Json)]
pub async fn create_user(input: NewUserInput) -> Result<UserRow, AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersCreate).await?;
    server::create(&request, &caller, input).await
}

/// Changes a user. Needs `users.update` (and `roles.assign` to change the role).
#[server(prefix = "/api", endpoint = "admin/users/update", input = server_fn::codec::Json)]
pub async fn update_user(id: i64, input: UserUpdate) -> Result<UserRow, AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersUpdate).await?;
    server::update(&request, &caller, id, input).await
}

/// Mails the user a password reset link. Needs `users.reset-password`.
#[server(prefix = "/api", endpoint = "admin/users/send-reset", input = server_fn::codec::Json)]
pub async fn send_password_reset(id: i64) -> Result<(), AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersResetPassword)
            .await?;
    server::send_reset(&request, &caller, id).await
}

/// Turns off the user's two-factor. Needs `users.disable-two-factor`.
#[server(prefix = "/api", endpoint = "admin/users/disable-two-factor", input = server_fn::codec::Json)]
pub async fn admin_disable_two_factor(id: i64) -> Result<bool, AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersDisableTwoFactor)
            .await?;
    server::disable_two_factor(&request, &caller, id).await
}

/// Lifts a lockout after failed sign-ins. Needs `users.update`.
#[server(prefix = "/api", endpoint = "admin/users/unlock", input = server_fn::codec::Json)]
pub async fn unlock_user(id: i64) -> Result<(), AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersUpdate).await?;
    server::unlock(&request, &caller, id).await
}

/// Deletes a user, keeping their activity rows. Needs `users.delete`.
#[server(prefix = "/api", endpoint = "admin/users/delete", input = server_fn::codec::Json)]
pub async fn delete_user(id: i64) -> Result<(), AppError> {
    let (request, caller) =
        crate::context::request::admin(crate::permissions::AdminPermission::UsersDelete).await?;
    server::delete(&request, &caller, id).await
}
