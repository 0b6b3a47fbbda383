//! The storage handle shared by every service: one query layer over SQLite and PostgreSQL.
//!
//! Queries are written once in portable SQL with `$1`-style placeholders (SQLite accepts them
//! too) and run through sqlx's `Any` driver. Where the two dialects differ, the service asks
//! [`Db::backend`]. The reasoning is recorded in `migrations/README.md`.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool and the backend it serves.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// How long SQLite waits for a lock before giving up; writers queue instead of failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

impl Db {
    /// Connects to `url`: `sqlite:` (file created when missing) or `postgres://`.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres://".into(),
            ));
        };
        let mut options = AnyConnectOptions::from_str(url)?;
        if backend == Backend::Sqlite && !url.contains("mode=") {
            // Create the file on first start.
            options = AnyConnectOptions::from_str(&format!(
                "{url}{}mode=rwc",
                if url.contains('?') { '&' } else { '?' }
            ))?;
        }
        options = options.log_statements(tracing::log::LevelFilter::Trace);
        let pool_options = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL lets readers proceed while one writer commits; NORMAL sync is
                        // durable across process crashes in WAL mode; foreign keys are off by
                        // default in SQLite and on in PostgreSQL, so turn them on.
                        conn.execute(
                            format!(
                                "pragma journal_mode = wal; pragma synchronous = normal; \
                                 pragma foreign_keys = on; pragma busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"
                            )
                            .as_str(),
                        )
                        .await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        // While the database is unreachable, the pool keeps trying to connect until this
        // timeout, and only then does the caller hear 503; 3 seconds keeps that answer well
        // within the 5 seconds promised (security.md F5).
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => {
                sqlx::migrate!("../migrations/postgres")
                    .run(&self.pool)
                    .await
            }
        }
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so concurrent writers wait on the busy timeout instead of failing
    /// with "database is locked" when a read lock cannot be upgraded.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// The clause that locks the selected rows until the transaction ends. PostgreSQL needs
    /// `for update`; SQLite has no such clause and needs none, because `begin_write` already
    /// holds the database's write lock.
    pub fn row_lock(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " for update",
        }
    }

    /// Answers whether the database responds at all.
    pub async fn ping(&self) -> bool {
        sqlx::query("select 1").execute(&self.pool).await.is_ok()
    }
}
