//! The integration tests: the real router in-process against a fresh database per test, on
//! SQLite and on PostgreSQL. One binary holds them all, so the large application is linked once.

#[macro_use]
mod common;

mod accounts;
mod activity_log;
mod admin_areas;
mod authorisation_matrix;
mod bad_input;
mod bench_activity_log;
mod bench_user_search;
mod concurrency;
mod faults;
mod impersonation;
mod languages;
mod password_reset;
mod roles;
mod servers;
mod setup_and_cli;
mod sign_in;
mod two_factor;
mod user_admin;
