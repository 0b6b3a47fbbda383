//! The test harness: the real router in-process, a fresh database per test on SQLite or
//! PostgreSQL, an injected clock, and typed helpers for calling server functions.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test binaries; tests fail loudly by design"
)]

pub mod functions;

use app::auth::password::PasswordHasher;
use app::context::clock::ManualClock;
use app::context::AppState;
use argon2::Params;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use rand::Rng;
use server::config::Config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// The moment every test's clock starts at: 2026-01-01T00:00:00Z.
pub const START: i64 = 1_767_225_600;

/// The password every helper-made user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// What [`TestApp::seed_server`] made.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub location: i64,
    pub node: i64,
    /// The first is the server's; the others are free.
    pub allocations: Vec<i64>,
    pub nest: i64,
    pub egg: i64,
    pub server: i64,
    pub secret: String,
}

/// A message from the outbox, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a valid message");
        let to = message
            .to()
            .and_then(|to| to.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_owned();
        Self {
            to,
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message.body_text(0).unwrap_or_default().into_owned(),
            html: message.body_html(0).unwrap_or_default().into_owned(),
        }
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with(prefix))
            .map(str::to_owned)
    }
}

/// One running application with its own database.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub database_url: String,
    pub backend: Backend,
    pub dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The scratch folder holds the SQLite file and the outbox; PostgreSQL test databases
        // are dropped at the start of the next run of scripts/test.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `name=value` pair of the first `Set-Cookie` header.
    pub fn cookie(&self) -> Option<String> {
        self.set_cookie()
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }

    /// The whole first `Set-Cookie` header.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

fn scratch_dir() -> PathBuf {
    let id: u64 = rand::thread_rng().gen();
    let dir = std::env::temp_dir().join(format!("gatehouse-test-{id:016x}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh, empty database of the given kind; returns its URL.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite:{}", dir.join("gatehouse.db").display()),
        Backend::Postgres => {
            let base = std::env::var("GATEHOUSE_TEST_POSTGRES_URL").expect(
                "PostgreSQL tests need GATEHOUSE_TEST_POSTGRES_URL (scripts/test sets it up); \
                 they never skip",
            );
            let name = format!("gh_test_{:016x}", rand::thread_rng().gen::<u64>());
            sqlx::any::install_default_drivers();
            let admin = sqlx::AnyPool::connect(&base)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(&format!("create database {name}"))
                .execute(&admin)
                .await
                .expect("create a test database");
            admin.close().await;
            let mut url = url::Url::parse(&base).unwrap();
            url.set_path(&name);
            url.to_string()
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts an application with some configuration variables set.
    pub async fn spawn_with(backend: Backend, settings: &[(&str, &str)]) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_TEST_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
            )
            .with_test_writer()
            .try_init();
        let dir = scratch_dir();
        let database_url = fresh_database(backend, &dir).await;
        Self::spawn_configured(backend, database_url, dir, settings).await
    }

    /// Starts an application on an existing database.
    pub async fn spawn_on(backend: Backend, database_url: String, dir: PathBuf) -> Self {
        Self::spawn_configured(backend, database_url, dir, &[]).await
    }

    async fn spawn_configured(
        backend: Backend,
        database_url: String,
        dir: PathBuf,
        settings: &[(&str, &str)],
    ) -> Self {
        let config = Config::from_lookup(|name| {
            if let Some((_, value)) = settings.iter().find(|(key, _)| *key == name) {
                return Some((*value).to_owned());
            }
            match name {
                "GATEHOUSE_DATABASE_URL" => Some(database_url.clone()),
                "GATEHOUSE_OUTBOX_DIR" => Some(dir.join("outbox").display().to_string()),
                "GATEHOUSE_SITE_ROOT" => Some(dir.join("site").display().to_string()),
                // Tests fire many requests from one address; the limits have their own tests.
                "GATEHOUSE_SIGN_IN_LIMIT" | "GATEHOUSE_CREDENTIAL_LIMIT" => Some("100000".into()),
                _ => None,
            }
        })
        .unwrap();
        // Cheap hashing parameters keep the suite fast; the OWASP parameters have their own
        // unit test in app::auth::password.
        let hasher =
            PasswordHasher::with_params(Params::new(1024, 1, 1, None).unwrap(), 4).unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let state = server::build_state(&config, hasher, clock.clone())
            .await
            .unwrap();
        app::setup::server::open_if_needed(&state).await.unwrap();
        let router = server::router(state.clone(), server::leptos_options(&config));
        Self {
            state,
            router,
            clock,
            database_url,
            backend,
            dir,
        }
    }

    /// Closes the pool and, on PostgreSQL, drops this test's database at once; for benchmarks,
    /// whose databases are too large to leave for the next run of scripts/test to drop.
    pub async fn discard(self) {
        self.state.db.pool().close().await;
        if self.backend == Backend::Postgres {
            let url = url::Url::parse(&self.database_url).unwrap();
            let name = url.path().trim_start_matches('/').to_owned();
            let base = std::env::var("GATEHOUSE_TEST_POSTGRES_URL").unwrap();
            let admin = sqlx::AnyPool::connect(&base).await.unwrap();
            sqlx::query(&format!("drop database if exists {name} with (force)"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
        }
    }

    /// Sends a request as the browser on the panel's own origin would, from 127.0.0.1.
    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        // A request that never answers fails its test instead of stalling the whole run.
        let response = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.router.clone().oneshot(request),
        )
        .await
        .expect("the panel answered within 60 seconds")
        .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            response.into_body().collect(),
        )
        .await
        .expect("the panel finished its answer within 60 seconds")
        .unwrap()
        .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POSTs a form to a path, with an optional `name=value` cookie.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> TestResponse {
        self.post_form_with(path, fields, cookie, &[]).await
    }

    /// POSTs a form with extra headers.
    pub async fn post_form_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// POSTs a JSON body, as the server functions that take structured input expect.
    pub async fn post_json(
        &self,
        path: &str,
        body: serde_json::Value,
        cookie: Option<&str>,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Creates a role through the API as `cookie`'s user; returns the answer.
    pub async fn create_role(
        &self,
        cookie: &str,
        name: &str,
        admin: &[&str],
        server: &[&str],
    ) -> TestResponse {
        let body = serde_json::json!({
            "input": { "name": name, "admin_permissions": admin, "server_permissions": server }
        });
        self.post_json("/api/admin/roles/create", body, Some(cookie))
            .await
    }

    /// Gives a user a role, directly in storage.
    pub async fn assign_role(&self, user_id: i64, role_id: i64) {
        app::roles::server::assign(&self.state, user_id, Some(role_id))
            .await
            .unwrap();
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        // Pages are asked for as a browser would; server functions as their client does.
        let accept = if path.starts_with("/api/") {
            "application/json"
        } else {
            "text/html"
        };
        let mut request = Request::builder()
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT, accept);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// An account form with placeholder names and no password.
    pub fn form(username: &str, email: &str) -> app::users::server::NewUserForm {
        app::users::server::NewUserForm {
            username: username.into(),
            email: email.into(),
            first_name: "Test".into(),
            last_name: "User".into(),
            password: None,
            is_admin: false,
        }
    }

    /// Creates a user through the same service the command line uses.
    pub async fn create_user(&self, username: &str, is_admin: bool) -> i64 {
        let form = app::users::server::NewUserForm {
            username: username.into(),
            email: format!("{username}@example.test"),
            first_name: "Test".into(),
            last_name: "User".into(),
            password: Some(app::users::Password::new(PASSWORD)),
            is_admin,
        };
        app::users::server::create(&self.state, &form)
            .await
            .unwrap()
    }

    /// Signs in and returns the session cookie as `name=value`.
    pub async fn sign_in(&self, identifier: &str, password: &str) -> String {
        let response = self
            .post_form(
                "/api/auth/login",
                &[("identifier", identifier), ("password", password)],
                None,
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "sign-in failed: {}",
            response.body
        );
        response.cookie().expect("a session cookie")
    }

    /// Creates a user and signs them in.
    pub async fn signed_in_user(&self, username: &str, is_admin: bool) -> String {
        self.create_user(username, is_admin).await;
        self.sign_in(username, PASSWORD).await
    }

    /// The messages written to the outbox so far, once every queued one is out.
    pub async fn outbox(&self) -> Vec<Mail> {
        self.state.mailer.settled().await;
        let Ok(entries) = std::fs::read_dir(self.dir.join("outbox")) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| Mail::parse(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// The injected clock's current time.
    pub fn clock_now(&self) -> i64 {
        use app::context::clock::Clock;
        self.clock.now()
    }

    /// Signs in a two-factor user with a code (TOTP or recovery); returns the session cookie.
    pub async fn sign_in_with_code(&self, identifier: &str, code: &str) -> String {
        let login = self
            .post_form(
                "/api/auth/login",
                &[("identifier", identifier), ("password", PASSWORD)],
                None,
            )
            .await;
        let checkpoint = login.cookie().expect("a checkpoint cookie");
        let response = self
            .post_form("/api/auth/two-factor", &[("code", code)], Some(&checkpoint))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("gatehouse_session="))
            .expect("a session cookie")
    }

    /// Turns two-factor on for a signed-in user; returns the secret and the recovery codes.
    pub async fn enable_two_factor(&self, cookie: &str) -> (String, Vec<String>) {
        let started = self
            .post_form("/api/account/two-factor/start", &[], Some(cookie))
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let secret = started.json()["secret"].as_str().unwrap().to_owned();
        assert!(started.json()["qr_svg"].as_str().unwrap().contains("<svg"));
        let code = app::two_factor::totp::code_at_step(
            &secret,
            app::two_factor::totp::step_of(self.clock_now()),
        )
        .unwrap();
        let confirmed = self
            .post_form(
                "/api/account/two-factor/confirm",
                &[("password", PASSWORD), ("code", &code)],
                Some(cookie),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        let codes = confirmed
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        (secret, codes)
    }

    /// Runs a query returning one integer.
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    }

    /// Seeds, directly in storage, a location, a node with the daemon secret `secret-<tag>`
    /// and three free allocations, a nest, an egg with two images and one user-editable
    /// variable, and a server owned by `owner_id` on the node's first allocation.
    pub async fn seed_server(&self, owner_id: i64, tag: &str) -> Seeded {
        let pool = self.state.db.pool();
        let now = self.clock_now();
        let id = |sql: String| async move {
            use sqlx::Row;
            sqlx::query(&sql)
                .fetch_one(pool)
                .await
                .unwrap()
                .try_get::<i64, _>(0)
                .unwrap()
        };
        let location = id(format!(
            "insert into locations (short_code, short_code_canonical, created_at, updated_at) \
             values ('{tag}', '{tag}', {now}, {now}) returning id"
        ))
        .await;
        let node = id(format!(
            "insert into nodes (name, name_canonical, location_id, fqdn, scheme, daemon_port, \
             memory_mb, disk_mb, daemon_secret, created_at, updated_at) values ('node-{tag}', \
             'node-{tag}', {location}, '{tag}.example.test', 'https', 8080, 65536, 65536, \
             'secret-{tag}', {now}, {now}) returning id"
        ))
        .await;
        let mut allocations = Vec::new();
        for port in [25565, 25566, 25567] {
            allocations.push(
                id(format!(
                    "insert into allocations (node_id, ip, port) values ({node}, '10.0.0.1', {port}) returning id"
                ))
                .await,
            );
        }
        let nest = id(format!(
            "insert into nests (name, name_canonical, created_at, updated_at) \
             values ('nest-{tag}', 'nest-{tag}', {now}, {now}) returning id"
        ))
        .await;
        let variables = r#"[{"name":"Jar","env_name":"SERVER_JAR","default":"server.jar","user_viewable":true,"user_editable":true,"rules":"required|string|max:20"},{"name":"Hidden","env_name":"HIDDEN","default":"x","user_viewable":false,"user_editable":false,"rules":""}]"#;
        let egg = id(format!(
            "insert into eggs (nest_id, name, docker_images, startup, variables, created_at, updated_at) \
             values ({nest}, 'egg-{tag}', '[\"img:a\",\"img:b\"]', 'java -jar {{{{SERVER_JAR}}}}', '{variables}', {now}, {now}) returning id"
        ))
        .await;
        let server = id(format!(
            "insert into servers (name, owner_id, node_id, allocation_id, egg_id, docker_image, \
             variables, memory_mb, disk_mb, cpu_percent, created_at, updated_at) values \
             ('server-{tag}', {owner_id}, {node}, {alloc}, {egg}, 'img:a', '{{\"SERVER_JAR\":\"server.jar\",\"HIDDEN\":\"x\"}}', 1024, 1024, 100, \
             {now}, {now}) returning id",
            alloc = allocations[0]
        ))
        .await;
        Seeded {
            location,
            node,
            allocations,
            nest,
            egg,
            server,
            secret: format!("secret-{tag}"),
        }
    }
}
