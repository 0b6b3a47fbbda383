//! The authorisation matrix (security.md A1): every registered server function, with what
//! each kind of caller must get. A function missing from the matrix fails the test, so none can
//! ship without a declared rule. The list itself is shared with the bad-input properties, in
//! `common::functions`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::functions::Args::{self, Form, Json};
use crate::common::functions::{Rule, MATRIX};
use crate::common::{Backend, TestApp};
use http::StatusCode;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    /// Past the password of a two-factor account, not past the code.
    Checkpoint,
    User,
    Admin,
}

#[test]
fn every_registered_server_function_is_in_the_matrix() {
    let mut registered: Vec<(String, String)> = server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method.to_string()))
        .collect();
    registered.sort();
    let mut listed: Vec<(String, String)> = MATRIX
        .iter()
        .map(|(path, method, _, _)| ((*path).to_owned(), (*method).to_owned()))
        .collect();
    listed.sort();
    assert!(!registered.is_empty(), "no server functions registered");
    assert_eq!(
        registered, listed,
        "the matrix and the registered functions differ"
    );
}

async fn call(
    app: &TestApp,
    path: &str,
    method: &str,
    args: Args,
    cookie: Option<&str>,
) -> crate::common::TestResponse {
    let fields = match args {
        Json(body) => {
            let body = serde_json::from_str(body).unwrap();
            return app.post_json(path, body, cookie).await;
        }
        Form(fields) => fields,
    };
    match method {
        "GET" => {
            let query = serde_urlencoded::to_string(fields).unwrap();
            let uri = if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            };
            app.get(&uri, cookie).await
        }
        _ => app.post_form(path, fields, cookie).await,
    }
}

async fn each_caller_gets_what_the_matrix_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user("matrix.admin", true).await;
    let seeded = app.seed_server(admin, "matrix").await;
    assert_eq!(seeded.server, 1, "the server-scoped rows call server 1");
    app.create_user("matrix.user", false).await;
    let two_factor = app.create_user("matrix.2fa", false).await;
    sqlx::query("update users set totp_secret = $1 where id = $2")
        .bind(app::two_factor::totp::new_secret())
        .bind(two_factor)
        .execute(app.state.db.pool())
        .await
        .unwrap();

    for (path, method, rule, args) in MATRIX {
        for caller in [
            Caller::Anonymous,
            Caller::Checkpoint,
            Caller::User,
            Caller::Admin,
        ] {
            // A fresh session per call, since some functions end the session.
            let cookie = match caller {
                Caller::Anonymous => None,
                Caller::Checkpoint => {
                    // A correct password without the code counts as an attempt (so a stolen
                    // password cannot be used to reset the lockout); this walk signs in far
                    // more often than any person would, so it starts each time afresh.
                    sqlx::query("update users set failed_sign_ins = 0 where id = $1")
                        .bind(two_factor)
                        .execute(app.state.db.pool())
                        .await
                        .unwrap();
                    let login = app
                        .post_form(
                            "/api/auth/login",
                            &[
                                ("identifier", "matrix.2fa"),
                                ("password", crate::common::PASSWORD),
                            ],
                            None,
                        )
                        .await;
                    Some(login.cookie().unwrap())
                }
                Caller::User => Some(app.sign_in("matrix.user", crate::common::PASSWORD).await),
                Caller::Admin => Some(app.sign_in("matrix.admin", crate::common::PASSWORD).await),
            };
            let response = call(&app, path, method, *args, cookie.as_deref()).await;
            let status = response.status;
            let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            assert!(!status.is_server_error(), "{path} as {caller:?}: {status}");
            match (rule, caller) {
                (Rule::Public, _) => {
                    // Sign-in with valid credentials must pass; other public functions may
                    // refuse their input, but never for lack of a session.
                    assert!(
                        !refused || *path == "/api/auth/login" && status != StatusCode::FORBIDDEN,
                        "{path} as {caller:?}: {status}"
                    );
                }
                (Rule::SignedIn, Caller::Anonymous | Caller::Checkpoint) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {caller:?}")
                }
                (Rule::SignedIn, _) => assert!(!refused, "{path} as {caller:?}: {status}"),
                (Rule::Checkpoint, Caller::Checkpoint) => {
                    assert!(!refused, "{path} as {caller:?}: {status}")
                }
                (Rule::Checkpoint, _) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {caller:?}")
                }
                (Rule::Admin(_) | Rule::Root, Caller::Anonymous | Caller::Checkpoint) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {caller:?}")
                }
                (Rule::Admin(key), Caller::User) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {caller:?}");
                    assert_eq!(response.json()["missing"], *key, "{path} names its key");
                }
                (Rule::Root, Caller::User) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {caller:?}")
                }
                (Rule::Admin(_) | Rule::Root, Caller::Admin) => {
                    assert!(!refused, "{path} as {caller:?}: {status}")
                }
                (Rule::Server, Caller::Anonymous | Caller::Checkpoint) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {caller:?}")
                }
                (Rule::Server, Caller::User) => {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{path} as {caller:?}")
                }
                (Rule::Server, Caller::Admin) => {
                    assert!(!refused, "{path} as {caller:?}: {status}")
                }
                (Rule::Node, _) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {caller:?}")
                }
            }
        }
    }
}

on_both_backends!(each_caller_gets_what_the_matrix_says);
