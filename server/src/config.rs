//! Configuration, read once from the environment at start and validated. Server functions
//! never read the environment; they get what they need from the application state.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use url::Url;

/// Everything the operator can set. See the README's configuration table.
#[derive(Debug, Clone)]
pub struct Config {
    /// `GATEHOUSE_DATABASE_URL`: `sqlite:` path or `postgres://` URL.
    pub database_url: String,
    /// `GATEHOUSE_LISTEN`: the address to bind.
    pub listen: SocketAddr,
    /// `GATEHOUSE_PUBLIC_URL`: where users reach the panel; every link the panel sends uses it.
    pub public_url: Url,
    /// `GATEHOUSE_SMTP_URL`: mail relay; unset means mail is written to the outbox folder.
    pub smtp_url: Option<String>,
    /// `GATEHOUSE_OUTBOX_DIR`: one file per message when no SMTP relay is set.
    pub outbox_dir: PathBuf,
    /// `GATEHOUSE_LOG`: a tracing filter such as `info` or `gatehouse=debug,sqlx=warn`.
    pub log: String,
    /// `GATEHOUSE_SITE_ROOT`: the built browser assets (`target/site` after a build).
    pub site_root: PathBuf,
    /// `GATEHOUSE_MAIL_FROM`: the sender of every message.
    pub mail_from: String,
    /// `GATEHOUSE_TRUSTED_PROXIES`: comma-separated proxy addresses whose `X-Forwarded-For`
    /// names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// `GATEHOUSE_SIGN_IN_LIMIT`: sign-in attempts per address per minute.
    pub sign_in_limit: u32,
    /// `GATEHOUSE_CREDENTIAL_LIMIT`: other credential requests per address per minute.
    pub credential_limit: u32,
    /// `GATEHOUSE_BENCH_CEILING=1`: also serve `GET /bench/ceiling`, a bare handler outside
    /// every layer, which `scripts/bench` measures as the most this machine can answer.
    pub bench_ceiling: bool,
}

/// A setting that could not be used, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let listen_raw = lookup("GATEHOUSE_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen: SocketAddr = listen_raw.parse().map_err(|_| ConfigError {
            name: "GATEHOUSE_LISTEN",
            problem: format!("`{listen_raw}` is not an address like 127.0.0.1:3000"),
        })?;
        let default_public = format!("http://{listen}");
        let public_raw = lookup("GATEHOUSE_PUBLIC_URL").unwrap_or(default_public);
        let public_url = Url::parse(&public_raw)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
            .ok_or_else(|| ConfigError {
                name: "GATEHOUSE_PUBLIC_URL",
                problem: format!("`{public_raw}` is not an http(s) URL"),
            })?;
        let database_url =
            lookup("GATEHOUSE_DATABASE_URL").unwrap_or_else(|| "sqlite:data/gatehouse.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                name: "GATEHOUSE_DATABASE_URL",
                problem: "must start with sqlite: or postgres://".into(),
            });
        }
        let trusted_proxies = match lookup("GATEHOUSE_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(|entry| {
                    entry.parse().map_err(|_| ConfigError {
                        name: "GATEHOUSE_TRUSTED_PROXIES",
                        problem: format!("`{entry}` is not an IP address"),
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let number = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(raw) => raw
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError {
                        name,
                        problem: format!("`{raw}` is not a positive whole number"),
                    }),
            }
        };
        let mail_domain = match public_url.host() {
            Some(url::Host::Domain(domain)) if domain.contains('.') => domain.to_owned(),
            _ => "localhost".to_owned(),
        };
        let bench_ceiling = match lookup("GATEHOUSE_BENCH_CEILING").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ConfigError {
                    name: "GATEHOUSE_BENCH_CEILING",
                    problem: format!("`{other}` is neither 0 nor 1"),
                })
            }
        };
        Ok(Self {
            bench_ceiling,
            mail_from: lookup("GATEHOUSE_MAIL_FROM")
                .unwrap_or_else(|| format!("Gatehouse <noreply@{mail_domain}>")),
            trusted_proxies,
            sign_in_limit: number("GATEHOUSE_SIGN_IN_LIMIT", 30)?,
            credential_limit: number("GATEHOUSE_CREDENTIAL_LIMIT", 20)?,
            database_url,
            listen,
            public_url,
            smtp_url: lookup("GATEHOUSE_SMTP_URL"),
            outbox_dir: lookup("GATEHOUSE_OUTBOX_DIR")
                .unwrap_or_else(|| "data/outbox".into())
                .into(),
            log: lookup("GATEHOUSE_LOG").unwrap_or_else(|| "info".into()),
            site_root: lookup("GATEHOUSE_SITE_ROOT")
                .unwrap_or_else(|| "target/site".into())
                .into(),
        })
    }

    /// The SQLite file's folder, which must exist before the database can be created.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let path = self.database_url.strip_prefix("sqlite:")?;
        let path = path.trim_start_matches("//");
        let path = path.split('?').next()?;
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        PathBuf::from(path).parent().map(PathBuf::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_variables() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.database_url, "sqlite:data/gatehouse.db");
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(config.outbox_dir, PathBuf::from("data/outbox"));
        assert!(config.smtp_url.is_none());
        assert_eq!(config.sqlite_dir(), Some(PathBuf::from("data")));
        assert!(!config.bench_ceiling);
    }

    #[test]
    fn bad_values_name_the_setting() {
        let error = Config::from_lookup(|name| {
            (name == "GATEHOUSE_PUBLIC_URL").then(|| "not a url".to_owned())
        })
        .unwrap_err();
        assert_eq!(error.name, "GATEHOUSE_PUBLIC_URL");
        let error = Config::from_lookup(|name| {
            (name == "GATEHOUSE_DATABASE_URL").then(|| "mysql://x".to_owned())
        })
        .unwrap_err();
        assert_eq!(error.name, "GATEHOUSE_DATABASE_URL");
    }
}
