//! The command line: `serve` (the default), `migrate`, and user administration for operators.

use crate::config::Config;
use app::context::AppState;
use app::error::AppError;
use app::users::server::NewUserForm;
use app::users::Password;
use clap::{Args, Parser, Subcommand};
use std::io::Read;

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Accounts and access control for game-server panels"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the panel (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Without --password-stdin, prints a one-time link to set the password.
    Create(CreateUser),
    /// Print a one-time link that lets the user set a new password.
    ResetPassword(ByUsername),
    /// Turn off two-factor authentication for a user who lost their device.
    #[command(name = "disable-2fa")]
    DisableTwoFactor(ByUsername),
}

#[derive(Debug, Args)]
pub struct CreateUser {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub first_name: String,
    #[arg(long)]
    pub last_name: String,
    /// Make the user a root admin.
    #[arg(long)]
    pub admin: bool,
    /// Read the password from standard input (one line).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ByUsername {
    #[arg(long)]
    pub username: String,
}

/// A command-line failure, printed for the operator.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Refused(String),
    #[error("could not read the password from standard input: {0}")]
    Stdin(#[from] std::io::Error),
}

fn explain(error: AppError) -> CliError {
    match error {
        AppError::Validation { fields } => CliError::Refused(
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => CliError::Refused(other.to_string()),
    }
}

/// Runs a `user` subcommand and returns what to print.
pub async fn run_user_command(
    state: &AppState,
    _config: &Config,
    command: UserCommand,
) -> Result<String, CliError> {
    match command {
        UserCommand::Create(args) => {
            let password = if args.password_stdin {
                let mut input = String::new();
                std::io::stdin()
                    .take(64 * 1024)
                    .read_to_string(&mut input)?;
                let line = input.lines().next().unwrap_or_default().to_owned();
                Some(Password::new(line))
            } else {
                None
            };
            let has_password = password.is_some();
            let form = NewUserForm {
                username: args.username,
                email: args.email,
                first_name: args.first_name,
                last_name: args.last_name,
                password,
                is_admin: args.admin,
            };
            let id = app::users::server::create(state, &form)
                .await
                .map_err(explain)?;
            let mut message = format!("Created user {} (id {id}).", form.username.trim());
            if !has_password {
                let link = app::password_links::server::issue_link(state, id)
                    .await
                    .map_err(explain)?;
                message.push_str(&format!("\nSet the password within 24 hours at:\n{link}"));
            }
            Ok(message)
        }
        UserCommand::ResetPassword(args) => {
            let id = app::users::server::id_by_username(&state.db, &args.username)
                .await
                .map_err(explain)?
                .ok_or_else(|| CliError::Refused(format!("No user named {}.", args.username)))?;
            let link = app::password_links::server::issue_link(state, id)
                .await
                .map_err(explain)?;
            Ok(format!("Set a new password within 24 hours at:\n{link}"))
        }
        UserCommand::DisableTwoFactor(args) => {
            let id = app::users::server::id_by_username(&state.db, &args.username)
                .await
                .map_err(explain)?
                .ok_or_else(|| CliError::Refused(format!("No user named {}.", args.username)))?;
            let origin = app::context::request::Origin {
                ip: None,
                user_agent: Some("gatehouse command line".into()),
            };
            let was_on = app::two_factor::server::force_disable(state, id, None, &origin)
                .await
                .map_err(explain)?;
            // The notice mail is sent in the background; let it finish before exiting.
            state.mailer.settled().await;
            Ok(if was_on {
                format!(
                    "Two-factor authentication is now off for {}; their sessions were signed out.",
                    args.username
                )
            } else {
                format!(
                    "Two-factor authentication is not enabled for {}; nothing to do.",
                    args.username
                )
            })
        }
    }
}
