//! Benchmark, not a test: the filtered admin activity log as it grows from a thousand to a
//! million rows. Ignored by the normal run; `scripts/bench` runs it, or run it with
//! `cargo test -p gatehouse --release --test suite bench_activity_log -- --ignored --nocapture`.
//! It prints p50 and p95 per filtered page at 1k, 10k, 100k and 1M rows, through the whole HTTP
//! stack (session resolution included), on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use crate::common::{Backend, TestApp};
use std::time::Instant;

const ROWS: usize = 1_000_000;
const EVENTS: [&str; 6] = [
    "auth:sign-in.succeeded",
    "account:profile.updated",
    "server:settings.renamed",
    "admin:user.created",
    "admin:server.updated",
    "server:subuser.created",
];

/// Adds rows `from..until`; row `n` is `ROWS - n` seconds old, so each step adds older rows.
async fn seed(app: &TestApp, mut from: usize, until: usize) {
    let start = app.clock_now() - ROWS as i64;
    while from < until {
        let to = (from + 1000).min(until);
        let mut sql = String::from(
            "insert into activity_log (created_at, event, actor_id, actor_name, subject_type, subject_id, ip, details) values ",
        );
        for n in from..to {
            if n > from {
                sql.push(',');
            }
            let event = EVENTS[n % EVENTS.len()];
            let actor = n % 5000;
            let subject = if event.starts_with("server:") {
                "server"
            } else {
                "user"
            };
            sql.push_str(&format!(
                "({}, '{event}', {actor}, 'user{actor}', '{subject}', {}, '10.0.{}.{}', '{{\"n\":{n}}}')",
                start + n as i64,
                n % 20_000,
                (n / 256) % 256,
                n % 256
            ));
        }
        sqlx::query(&sql)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        from = to;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.signed_in_user("bench.root", true).await;
    let now = app.clock_now();
    let filters: Vec<String> = (0..200)
        .map(|i| match i % 5 {
            0 => String::new(),
            1 => format!("event={}", EVENTS[i % EVENTS.len()].replace(':', "%3A")),
            2 => format!("actor=user{}", (i * 37) % 5000),
            3 => format!("subject_type=server&subject_id={}", (i * 91) % 20_000),
            _ => format!("from={}&to={}", now - 500_000, now - 400_000),
        })
        .collect();
    let mut seeded = 0;
    for size in [1_000, 10_000, 100_000, ROWS] {
        let seeding = Instant::now();
        seed(&app, seeded, size).await;
        seeded = size;
        if backend == Backend::Postgres {
            sqlx::query("analyze activity_log")
                .execute(app.state.db.pool())
                .await
                .unwrap();
        }
        println!(
            "{backend:?}: seeded up to {size} rows in {:.1} s",
            seeding.elapsed().as_secs_f64()
        );
        let mut times = Vec::new();
        for filter in &filters {
            let started = Instant::now();
            let response = app
                .get(&format!("/api/admin/activity?{filter}"), Some(&root))
                .await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(response.status.is_success(), "{filter}: {}", response.body);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "activity log {backend:?} {size:>7} rows: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
    app.discard().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn sqlite() {
    run(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn postgres() {
    run(Backend::Postgres).await
}
