//! Gatehouse: accounts and access control for a game-server hosting panel.
//!
//! This crate is shared by the browser and the server. Each domain folder holds its types,
//! its server functions and its pages; server-only code sits behind the `ssr` feature in a
//! `server` module, and the server's shared state lives in [`context`].

// Deep view trees (a sub-user row with its editor and confirmation) exceed the default type
// layout depth when compiled for the browser.
#![recursion_limit = "256"]

pub mod accounts;
pub mod activity;
pub mod admin_area;
pub mod auth;
pub mod backup_configs;
#[cfg(feature = "ssr")]
pub mod context;
pub mod daemon;
pub mod eggs;
pub mod error;
pub mod fields;
pub mod i18n;
pub mod impersonation;
pub mod locations;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod nodes;
pub mod password_links;
pub mod permissions;
pub mod public;
pub mod roles;
pub mod servers;
pub mod settings;
pub mod setup;
pub mod shell;
pub mod subusers;
pub mod two_factor;
pub mod user_admin;
pub mod users;

pub use shell::{shell, App};
