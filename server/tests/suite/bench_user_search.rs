//! Benchmark, not a test: how the admin user search answers as the user table grows. Ignored
//! by the normal run; `scripts/bench` runs it, or run it with
//! `cargo test -p gatehouse --release --test suite bench_user_search -- --ignored --nocapture`.
//! It prints p50 and p95 per page for 1k, 10k and 100k users, through the whole HTTP stack
//! (session resolution included), on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use crate::common::{Backend, TestApp};
use std::time::Instant;

/// Inserts users `from..to` in batches, with a placeholder hash (nobody signs in as them).
async fn seed(app: &TestApp, from: usize, to: usize) {
    let mut start = from;
    while start < to {
        let end = (start + 500).min(to);
        let mut sql = String::from(
            "insert into users (username, username_canonical, email, email_canonical, first_name, last_name, password_hash, created_at, updated_at) values ",
        );
        for n in start..end {
            if n > start {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('user{n:06}', 'user{n:06}', 'person{n:06}@example.test', 'person{n:06}@example.test', 'First', 'Last', null, 0, 0)"
            ));
        }
        sqlx::query(&sql)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        start = end;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("bench.root", true).await;
    let mut seeded = 0;
    for size in [1_000, 10_000, 100_000] {
        seed(&app, seeded, size).await;
        seeded = size;
        let queries: Vec<String> = (0..200)
            .map(|i| match i % 4 {
                0 => String::new(),
                1 => format!("user{:03}", (i * 37) % 1000),
                2 => format!("person{:04}%40", (i * 91) % 10_000),
                _ => "nobody-matches".to_owned(),
            })
            .collect();
        let mut times = Vec::new();
        for query in &queries {
            let started = Instant::now();
            let response = app
                .get(&format!("/api/admin/users?query={query}"), Some(&root))
                .await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(response.status, http::StatusCode::OK);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "user search {backend:?} {size:>7} rows: p50 {:.2} ms, p95 {:.2} ms",
            percentile(&times, 0.50),
            percentile(&times, 0.95)
        );
    }
    app.discard().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run on demand"]
async fn user_search_on_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run on demand"]
async fn user_search_on_postgres() {
    run(Backend::Postgres).await;
}
