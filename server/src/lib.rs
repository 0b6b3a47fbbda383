//! The Gatehouse server: configuration, start-up, the router and its layers, and the command
//! line. The rules themselves live in the `app` crate.

pub mod assets;
pub mod cli;
pub mod config;
pub mod middleware;

use app::auth::password::PasswordHasher;
use app::context::clock::{Clock, SystemClock};
use app::context::db::Db;
use app::context::rate_limit::RateLimits;
use app::context::{AppState, Settings};
use app::mail::Mailer;
use app::{shell, App};
use axum::extract::{FromRef, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use config::Config;
use http::StatusCode;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted anywhere; far above any form, far below harm.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Router state: the application and Leptos' own options.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// Leptos' options for this build: where the compiled browser assets are.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .hash_files(assets::hash_file_beside_binary().is_some())
        .build()
}

/// Connects, migrates and assembles the application state.
pub async fn build_state(
    config: &Config,
    hasher: PasswordHasher,
    clock: Arc<dyn Clock>,
) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(dir) = config.sqlite_dir() {
        std::fs::create_dir_all(&dir)?;
    }
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let mut settings = Settings::new(config.public_url.clone());
    settings.rate_limits = RateLimits {
        sign_in_per_minute: config.sign_in_limit,
        credential_per_minute: config.credential_limit,
    };
    settings.trusted_proxies = config.trusted_proxies.clone();
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url, &config.mail_from)?,
        None => Mailer::outbox(config.outbox_dir.clone(), &config.mail_from)?,
    };
    Ok(AppState::new(db, settings, hasher, clock, mailer))
}

/// The production state: OWASP hashing parameters and the system clock.
pub async fn production_state(
    config: &Config,
) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    build_state(config, PasswordHasher::owasp()?, Arc::new(SystemClock)).await
}

/// The whole HTTP surface.
pub fn router(state: AppState, leptos: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let guard = middleware::Guard::for_public_url(&state.settings.public_url);
    let server_state = ServerState {
        app: state.clone(),
        leptos: leptos.clone(),
    };
    let page_context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let site_root = std::path::PathBuf::from(&*leptos.site_root);
    let pkg_dir = site_root.join(&*leptos.site_pkg_dir);
    let build = Arc::new(assets::Build::load(
        &site_root,
        assets::hash_file_beside_binary().as_deref(),
    ));
    {
        let build = build.clone();
        // Compressed copies are written once per build, off the request path.
        std::thread::spawn(move || assets::precompress(&site_root, &build));
    }
    // Hashed names change with their contents, so a browser may keep them for a year.
    let pkg_cache = if build.hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };

    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/sw.js",
            get(assets::service_worker).with_state(build.clone()),
        )
        .route(
            "/offline",
            get(assets::offline_page).with_state(build.clone()),
        )
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    http::header::CACHE_CONTROL,
                    http::HeaderValue::from_static(pkg_cache),
                ))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .leptos_routes_with_context(&server_state, routes, page_context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(page_context, shell))
        // Server functions are registered by `leptos_routes_with_context` at their stable
        // `/api/...` paths; these layers cover them and the pages alike.
        .layer(axum::middleware::from_fn(middleware::error_status))
        .layer(axum::middleware::from_fn(middleware::drop_error_parameters))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::choose_language,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            guard.clone(),
            middleware::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            guard,
            middleware::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(server_state)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<ServerState>) -> impl IntoResponse {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// Starts the panel and serves until interrupted.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let state = production_state(&config).await?;
    if let Some(token) = app::setup::server::open_if_needed(&state).await? {
        let base = state.settings.public_base();
        tracing::warn!("no account exists yet: finish setup at {base}/setup");
        // Printed on its own line, whatever the log level, so an operator (or a test) finds it.
        eprintln!("Setup token: {token}");
    }
    spawn_retention_job(state.clone());
    let leptos = leptos_options(&config);
    let mut app = router(state, leptos);
    if config.bench_ceiling {
        // Added after the layers, so nothing but axum and the socket stands in front of it.
        app = app.route("/bench/ceiling", get(|| async { "ok" }));
        tracing::warn!("serving the benchmark ceiling at /bench/ceiling");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %config.listen, public_url = %config.public_url, "Gatehouse is ready");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// Prunes activity past its retention period at start and then every hour. A failure is
/// logged and retried at the next hour; it never stops the server.
fn spawn_retention_job(state: app::context::AppState) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match app::activity::server::prune(&state).await {
                Ok(0) => {}
                Ok(rows) => tracing::info!(rows, "pruned activity past its retention period"),
                Err(error) => tracing::error!(?error, "could not prune the activity log"),
            }
        }
    });
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
