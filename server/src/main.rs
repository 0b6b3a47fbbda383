//! The `gatehouse` binary: reads the configuration, then serves or runs a command.

use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await,
        Command::Migrate => server::production_state(&config).await.map(|_| {
            println!("Migrations applied.");
        }),
        Command::User(command) => match server::production_state(&config).await {
            Ok(state) => match server::cli::run_user_command(&state, &config, command).await {
                Ok(message) => {
                    println!("{message}");
                    Ok(())
                }
                Err(error) => {
                    eprintln!("{error}");
                    return ExitCode::from(1);
                }
            },
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "gatehouse stopped with an error");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
