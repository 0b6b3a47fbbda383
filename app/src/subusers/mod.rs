//! Sub-users: people a server's owner (or anyone holding the `subusers.*` keys on it) lets
//! into one server with a chosen set of server permissions.
//!
//! The guards of design.md section 3 hold on every path: nobody grants a key they lack (the
//! owner and root admins hold every key), nobody changes their own grant, the owner is never a
//! sub-user, and a server has at most [`MAX_PER_SERVER`] of them.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::error::AppError;
use crate::permissions::ServerPermission;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The most sub-users one server can have.
pub const MAX_PER_SERVER: i64 = 50;

/// A sub-user of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subuser {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub email: String,
    pub permissions: Vec<ServerPermission>,
    pub created_at: i64,
}

/// The sub-users of a server. Needs `subusers.read` on it.
#[server(prefix = "/api", endpoint = "servers/subusers", input = server_fn::codec::GetUrl)]
pub async fn list_subusers(server_id: i64) -> Result<Vec<Subuser>, AppError> {
    let (request, _, scope) =
        crate::context::request::on_server(server_id, Some(ServerPermission::SubusersRead)).await?;
    server::list(&request.state, scope.id).await
}

/// Adds a sub-user by email. An address without an account gets a new account and a link to
/// set its password; an existing account is told by mail. Needs `subusers.create` and every
/// key granted.
#[server(prefix = "/api", endpoint = "servers/subusers/create", input = server_fn::codec::Json)]
pub async fn create_subuser(
    server_id: i64,
    email: String,
    permissions: Vec<String>,
) -> Result<Subuser, AppError> {
    let (request, caller, scope) =
        crate::context::request::on_server(server_id, Some(ServerPermission::SubusersCreate))
            .await?;
    server::create(&request, &caller, &scope, &email, &permissions).await
}

/// Changes a sub-user's permissions. Needs `subusers.update` and every key involved.
#[server(prefix = "/api", endpoint = "servers/subusers/update", input = server_fn::codec::Json)]
pub async fn update_subuser(
    server_id: i64,
    subuser_id: i64,
    permissions: Vec<String>,
) -> Result<Subuser, AppError> {
    let (request, caller, scope) =
        crate::context::request::on_server(server_id, Some(ServerPermission::SubusersUpdate))
            .await?;
    server::update(&request, &caller, &scope, subuser_id, &permissions).await
}

/// Removes a sub-user; the daemon tokens they hold are revoked. Needs `subusers.delete`.
#[server(prefix = "/api", endpoint = "servers/subusers/delete", input = server_fn::codec::Json)]
pub async fn delete_subuser(server_id: i64, subuser_id: i64) -> Result<(), AppError> {
    let (request, caller, scope) =
        crate::context::request::on_server(server_id, Some(ServerPermission::SubusersDelete))
            .await?;
    server::delete(&request, &caller, &scope, subuser_id).await
}

/// A username for an account created from an email address: the part before `@`, reduced to
/// the characters usernames allow, with `suffix` appended to make it unique. Always a valid
/// username.
pub fn username_from_email(email: &str, suffix: u32) -> String {
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    let mut base: String = local
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    base = base
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    if base.len() < 3 {
        base = format!("user{base}");
    }
    let tail = if suffix == 0 {
        String::new()
    } else {
        suffix.to_string()
    };
    base.truncate(32 - tail.len());
    let mut name = base
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    name.push_str(&tail);
    if name.len() < 3 {
        name = format!("user{tail}");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::username_from_email;
    use crate::users::validation::Username;
    use proptest::prelude::*;

    #[test]
    fn usernames_come_from_the_local_part() {
        assert_eq!(username_from_email("Jane.Doe@example.com", 0), "jane.doe");
        assert_eq!(username_from_email("jane.doe@example.com", 2), "jane.doe2");
        assert_eq!(username_from_email("x@example.com", 0), "userx");
        assert_eq!(username_from_email("._@example.com", 0), "user");
        assert_eq!(username_from_email("ünï+cödé@example.com", 0), "n__c_d");
    }

    proptest! {
        #[test]
        fn derived_usernames_are_always_valid(email in "\\PC{0,80}", suffix in 0u32..100_000) {
            let name = username_from_email(&email, suffix);
            prop_assert!(Username::parse(&name).is_ok(), "{name:?} from {email:?}");
        }
    }
}
