//! The authorisation matrix (security.md A1): every registered server function, with what

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]
//! each kind of caller must get. A function missing from the matrix fails the test, so none can
//! ship without a declared rule.

mod common;

use common::{Backend, TestApp};
use http::StatusCode;

/// Who a function is for.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user; anonymous callers get 401.
    SignedIn,
    /// Only a caller holding a two-factor checkpoint; everyone else gets 401.
    Checkpoint,
}

/// Form fields for a call.
type Fields = &'static [(&'static str, &'static str)];

/// Each server function: path, method, rule, and valid arguments for a call.
const MATRIX: &[(&str, &str, Rule, Fields)] = &[
    ("/api/public/info", "GET", Rule::Public, &[]),
    ("/api/auth/me", "GET", Rule::Public, &[]),
    (
        "/api/auth/login",
        "POST",
        Rule::Public,
        &[
            ("identifier", "matrix.admin"),
            ("password", common::PASSWORD),
        ],
    ),
    ("/api/auth/logout", "POST", Rule::SignedIn, &[]),
    (
        "/api/setup",
        "POST",
        Rule::Public,
        &[
            ("token", "x"),
            ("username", "someone"),
            ("email", "someone@example.test"),
            ("first_name", "Some"),
            ("last_name", "One"),
            ("password", common::PASSWORD),
        ],
    ),
    (
        "/api/account/profile",
        "POST",
        Rule::SignedIn,
        &[
            ("first_name", "Matrix"),
            ("last_name", "Caller"),
            ("language", "en"),
        ],
    ),
    (
        "/api/account/email",
        "POST",
        Rule::SignedIn,
        &[
            ("current_password", "wrong password"),
            ("email", "m@example.test"),
        ],
    ),
    (
        "/api/account/password",
        "POST",
        Rule::SignedIn,
        &[
            ("current_password", "wrong password"),
            ("new_password", "another passphrase"),
        ],
    ),
    ("/api/account/sessions", "GET", Rule::SignedIn, &[]),
    (
        "/api/account/sessions/revoke",
        "POST",
        Rule::SignedIn,
        &[("id", "0")],
    ),
    (
        "/api/account/sessions/revoke-others",
        "POST",
        Rule::SignedIn,
        &[],
    ),
    ("/api/account/activity", "GET", Rule::SignedIn, &[]),
    (
        "/api/auth/two-factor",
        "POST",
        Rule::Checkpoint,
        &[("code", "000000")],
    ),
    ("/api/account/two-factor", "GET", Rule::SignedIn, &[]),
    ("/api/account/two-factor/start", "POST", Rule::SignedIn, &[]),
    (
        "/api/account/two-factor/confirm",
        "POST",
        Rule::SignedIn,
        &[("password", "wrong password"), ("code", "000000")],
    ),
    (
        "/api/account/two-factor/recovery-codes",
        "POST",
        Rule::SignedIn,
        &[("password", "wrong password"), ("code", "000000")],
    ),
    (
        "/api/account/two-factor/disable",
        "POST",
        Rule::SignedIn,
        &[("password", "wrong password"), ("code", "000000")],
    ),
    (
        "/api/password/forgot",
        "POST",
        Rule::Public,
        &[("email", "someone@example.test")],
    ),
    (
        "/api/password/set",
        "POST",
        Rule::Public,
        &[("token", "0000"), ("password", common::PASSWORD)],
    ),
];

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
    args: &[(&str, &str)],
    cookie: Option<&str>,
) -> StatusCode {
    match method {
        "GET" => {
            let query = serde_urlencoded::to_string(args).unwrap();
            let uri = if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            };
            app.get(&uri, cookie).await.status
        }
        _ => app.post_form(path, args, cookie).await.status,
    }
}

async fn each_caller_gets_what_the_matrix_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("matrix.admin", true).await;
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
                    let login = app
                        .post_form(
                            "/api/auth/login",
                            &[("identifier", "matrix.2fa"), ("password", common::PASSWORD)],
                            None,
                        )
                        .await;
                    Some(login.cookie().unwrap())
                }
                Caller::User => Some(app.sign_in("matrix.user", common::PASSWORD).await),
                Caller::Admin => Some(app.sign_in("matrix.admin", common::PASSWORD).await),
            };
            let status = call(&app, path, method, args, cookie.as_deref()).await;
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
            }
        }
    }
}

on_both_backends!(each_caller_gets_what_the_matrix_says);
