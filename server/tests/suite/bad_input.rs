//! Hostile input for every server function (security.md V2, V3): NUL bytes, control
//! characters, huge strings, SQL and markup, wrong JSON types, broken UTF-8, missing and extra
//! fields. Whatever arrives, the answer is never a 5xx and never carries SQL, database or stack
//! text. The functions come from the same list as the authorisation matrix, so a new function
//! is covered here as soon as the matrix knows it.
//!
//! Each function gets `GATEHOUSE_BAD_INPUT_CASES` generated cases (16 unless set; the long run
//! raises it), each one to three mutations of the function's valid arguments, sent by a caller
//! who passes its access rule so the input reaches decoding, validation and storage.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::functions::{Args, Rule, MATRIX};
use crate::common::{Backend, TestApp, TestResponse, PASSWORD};
use axum::body::Body;
use http::{header, Method, Request, StatusCode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

/// One hostile value.
#[derive(Clone)]
enum Bad {
    /// Text of any kind: controls, NUL, huge, SQL, markup, odd Unicode.
    Text(String),
    /// A JSON value of the wrong type (sent as its JSON text in forms).
    Json(Value),
    /// Bytes that are not UTF-8.
    Bytes(Vec<u8>),
}

/// Failure reports show long values by their start and length.
impl std::fmt::Debug for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn short(text: &str) -> String {
            match text.char_indices().nth(60) {
                Some((at, _)) => format!("{:?}... ({} bytes)", &text[..at], text.len()),
                None => format!("{text:?}"),
            }
        }
        match self {
            Self::Text(text) => write!(f, "Text({})", short(text)),
            Self::Json(json) => write!(f, "Json({})", short(&json.to_string())),
            Self::Bytes(bytes) => write!(f, "Bytes({})", short(&String::from_utf8_lossy(bytes))),
        }
    }
}

/// One change to a function's valid arguments.
#[derive(Clone)]
enum Mutation {
    /// Replace one field (a form field, or any leaf of the JSON body).
    Replace(Index, Bad),
    /// Leave one field out.
    Remove(Index),
    /// Add a field the function does not expect (at the top, or inside `input`).
    Extra(&'static str, Bad, bool),
    /// Send these bytes as the whole body (or query string).
    Raw(Vec<u8>),
}

impl std::fmt::Debug for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Replace(at, value) => write!(f, "Replace({at:?}, {value:?})"),
            Self::Remove(at) => write!(f, "Remove({at:?})"),
            Self::Extra(name, value, inner) => write!(f, "Extra({name:?}, {value:?}, {inner})"),
            Self::Raw(bytes) => write!(f, "Raw({:?})", Bad::Bytes(bytes.clone())),
        }
    }
}

/// Text meant to break parsers, queries and pages.
const NASTY: &[&str] = &[
    "' or '1'='1' --",
    "\"; drop table users; --",
    "1; select pg_sleep(10)",
    "%' union select password_hash from users --",
    "\\",
    "%00",
    "<img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "{{7*7}}",
    "-1",
    "0",
    "9223372036854775808",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "true",
    "null",
    "",
    " ",
    "\u{202e}evil",
    "\u{feff}",
    "e\u{301}\u{301}\u{301}",
    "\u{1F600}",
    "\u{FFFF}",
    "a\u{2028}b",
];

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NASTY).prop_map(str::to_owned),
        "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}]{1,8}",
        ".{0,24}".prop_map(|s| format!("{s}\0{s}")),
        // Below and above the 64 KiB body limit.
        (1_000usize..100_000).prop_map(|n| "x".repeat(n)),
        (1usize..5_000).prop_map(|n| "\u{1F600}\0".repeat(n)),
        any::<String>(),
    ]
}

fn wrong_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(serde_json::json!(u64::MAX)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!([1, "two", null])),
        Just(serde_json::json!({ "nested": { "deeper": [true] } })),
        hostile_text().prop_map(Value::String),
    ]
}

fn broken_utf8() -> impl Strategy<Value = Vec<u8>> {
    // 0xFF never occurs in UTF-8; a lone 0xC3 starts a sequence it never finishes.
    prop::collection::vec(any::<u8>(), 0..24).prop_map(|mut bytes| {
        bytes.insert(0, 0xC3);
        bytes.push(0xFF);
        bytes
    })
}

fn bad_value() -> impl Strategy<Value = Bad> {
    prop_oneof![
        3 => hostile_text().prop_map(Bad::Text),
        2 => wrong_json().prop_map(Bad::Json),
        1 => broken_utf8().prop_map(Bad::Bytes),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extra_names = prop::sample::select(
        &[
            "is_admin",
            "role_id",
            "id",
            "owner_id",
            "version",
            "permissions",
            "__proto__",
            "x",
        ][..],
    );
    prop_oneof![
        6 => (any::<Index>(), bad_value()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        2 => (extra_names, bad_value(), any::<bool>())
            .prop_map(|(name, value, inner)| Mutation::Extra(name, value, inner)),
        1 => prop_oneof![
            broken_utf8(),
            hostile_text().prop_map(String::into_bytes),
            Just(b"{\"input\":".to_vec()),
            Just(b"[]".to_vec()),
        ]
        .prop_map(Mutation::Raw),
    ]
}

/// A placeholder that marks where raw bytes go once the JSON is serialised.
const RAW_MARK: &str = "\u{E000}raw-bytes\u{E000}";

/// What the request carries after the mutations.
enum Payload {
    Form(Vec<(String, Vec<u8>)>),
    Json(Value, Vec<Vec<u8>>),
    Raw(Vec<u8>),
}

fn bytes_of(value: &Bad) -> Vec<u8> {
    match value {
        Bad::Text(text) => text.clone().into_bytes(),
        Bad::Json(json) => json.to_string().into_bytes(),
        Bad::Bytes(bytes) => bytes.clone(),
    }
}

/// Paths (object keys and array positions) to every leaf of a JSON value.
fn leaves(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                path.push(Value::String(key.clone()));
                leaves(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (n, child) in items.iter().enumerate() {
                path.push(Value::from(n));
                leaves(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn at_path<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |node, step| match step {
        Value::String(key) => &mut node[key.as_str()],
        Value::Number(n) => &mut node[n.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

fn apply(args: Args, mutations: &[Mutation]) -> Payload {
    let mut payload = match args {
        Args::Form(fields) => Payload::Form(
            fields
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
                .collect(),
        ),
        Args::Json(body) => Payload::Json(serde_json::from_str(body).unwrap(), Vec::new()),
    };
    for mutation in mutations {
        match (&mut payload, mutation) {
            (_, Mutation::Raw(bytes)) => payload = Payload::Raw(bytes.clone()),
            (Payload::Raw(_), _) => {}
            (Payload::Form(fields), Mutation::Replace(at, value)) => {
                if !fields.is_empty() {
                    let n = at.index(fields.len());
                    fields[n].1 = bytes_of(value);
                }
            }
            (Payload::Form(fields), Mutation::Remove(at)) => {
                if !fields.is_empty() {
                    fields.remove(at.index(fields.len()));
                }
            }
            (Payload::Form(fields), Mutation::Extra(name, value, _)) => {
                fields.push(((*name).to_owned(), bytes_of(value)))
            }
            (Payload::Json(body, raw), Mutation::Replace(at, value)) => {
                let mut paths = Vec::new();
                leaves(body, &mut Vec::new(), &mut paths);
                let target = at_path(body, &paths[at.index(paths.len())]);
                *target = json_of(value, raw);
            }
            (Payload::Json(body, _), Mutation::Remove(at)) => {
                let mut paths = Vec::new();
                leaves(body, &mut Vec::new(), &mut paths);
                let path = &paths[at.index(paths.len())];
                if let Some((last, parent)) = path.split_last() {
                    match (at_path(body, parent), last) {
                        (Value::Object(map), Value::String(key)) => {
                            map.remove(key);
                        }
                        (Value::Array(items), Value::Number(n)) => {
                            items.remove(n.as_u64().unwrap() as usize);
                        }
                        _ => {}
                    }
                }
            }
            (Payload::Json(body, raw), Mutation::Extra(name, value, inner)) => {
                let value = json_of(value, raw);
                let target = match body.get_mut("input") {
                    Some(input) if *inner && input.is_object() => input,
                    _ => body,
                };
                if let Value::Object(map) = target {
                    map.insert((*name).to_owned(), value);
                }
            }
        }
    }
    payload
}

/// The JSON for a bad value; bytes that are not UTF-8 are spliced in after serialising.
fn json_of(value: &Bad, raw: &mut Vec<Vec<u8>>) -> Value {
    match value {
        Bad::Text(text) => Value::String(text.clone()),
        Bad::Json(json) => json.clone(),
        Bad::Bytes(bytes) => {
            raw.push(bytes.clone());
            Value::String(RAW_MARK.to_owned())
        }
    }
}

/// The longest query value sent: an address much longer is refused (414) before any function
/// sees it, by the HTTP layer in front of the router.
const MAX_QUERY_VALUE: usize = 4 * 1024;

fn encode(fields: &[(String, Vec<u8>)], get: bool) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            let value = if get && value.len() > MAX_QUERY_VALUE {
                &value[..MAX_QUERY_VALUE]
            } else {
                &value[..]
            };
            let value: String = url::form_urlencoded::byte_serialize(value).collect();
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn request(
    path: &str,
    method: &str,
    payload: Payload,
    headers: &[(String, String)],
) -> Request<Body> {
    let get = method == "GET";
    let (uri, content_type, body) = match payload {
        Payload::Form(fields) if get => (
            format!("{path}?{}", encode(&fields, true)),
            None,
            Vec::new(),
        ),
        Payload::Form(fields) => (
            path.to_owned(),
            Some("application/x-www-form-urlencoded"),
            encode(&fields, false).into_bytes(),
        ),
        Payload::Json(body, raw) => {
            let mut text = body.to_string().into_bytes();
            for bytes in raw {
                let mark = serde_json::to_string(RAW_MARK).unwrap().into_bytes();
                if let Some(at) = text.windows(mark.len()).position(|w| w == mark) {
                    let mut spliced = text[..at + 1].to_vec();
                    spliced.extend_from_slice(&bytes);
                    spliced.extend_from_slice(&text[at + mark.len() - 1..]);
                    text = spliced;
                }
            }
            (path.to_owned(), Some("application/json"), text)
        }
        Payload::Raw(bytes) if get => {
            let bytes = &bytes[..bytes.len().min(MAX_QUERY_VALUE)];
            let query: String = url::form_urlencoded::byte_serialize(bytes).collect();
            (format!("{path}?{query}"), None, Vec::new())
        }
        Payload::Raw(bytes) => (path.to_owned(), Some("application/json"), bytes),
    };
    let mut request = Request::builder()
        .method(if get { Method::GET } else { Method::POST })
        .uri(uri)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT, "application/json");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.body(Body::from(body)).unwrap()
}

/// Words that only a leaked database error, query or panic would put in a response.
const LEAKS: &[&str] = &[
    "sqlx",
    "sqlite",
    "postgres",
    "syntax error",
    "error returned from database",
    "violates",
    "constraint",
    "panicked",
    "backtrace",
    ".rs:",
    "select ",
    "insert into",
    "delete from",
    "pg_",
    "called `result::unwrap()`",
];

/// The answer must be a client error or success, and a refusal must say nothing about the
/// server's insides. What the caller sent is removed first: echoing it back in a field message
/// is not a leak. (A success may show stored data, which holds earlier cases' payloads.)
fn check(response: &TestResponse, sent: &[Mutation]) -> Result<(), String> {
    if response.status.is_server_error() {
        return Err(format!("{}: {}", response.status, response.body));
    }
    if response.status.is_success() {
        return Ok(());
    }
    let mut body = response.body.to_lowercase();
    for mutation in sent {
        let echoed = match mutation {
            Mutation::Replace(_, value) | Mutation::Extra(_, value, _) => bytes_of(value),
            Mutation::Raw(bytes) => bytes.clone(),
            Mutation::Remove(_) => continue,
        };
        let echoed = String::from_utf8_lossy(&echoed).to_lowercase();
        if !echoed.is_empty() {
            body = body.replace(&echoed, "");
        }
    }
    match LEAKS.iter().find(|word| body.contains(*word)) {
        Some(word) => Err(format!("the answer leaks `{word}`: {}", response.body)),
        None => Ok(()),
    }
}

/// A fresh session for the caller a rule needs, so one case cannot spoil the next (a case may
/// sign out, revoke sessions or start an impersonation).
async fn caller_headers(app: &TestApp, rule: Rule, node: i64) -> Vec<(String, String)> {
    sqlx::query("update users set failed_sign_ins = 0")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let cookie = match rule {
        Rule::Node => {
            return vec![(
                header::AUTHORIZATION.to_string(),
                format!("Bearer {node}.secret-matrix"),
            )]
        }
        Rule::Checkpoint => app
            .post_form(
                "/api/auth/login",
                &[("identifier", "matrix.2fa"), ("password", PASSWORD)],
                None,
            )
            .await
            .cookie()
            .unwrap(),
        _ => app.sign_in("matrix.admin", PASSWORD).await,
    };
    vec![(header::COOKIE.to_string(), cookie)]
}

fn cases() -> u32 {
    std::env::var("GATEHOUSE_BAD_INPUT_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(16)
}

async fn no_input_gets_a_server_error_or_leaks_internals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user("matrix.admin", true).await;
    let seeded = app.seed_server(admin, "matrix").await;
    let two_factor = app.create_user("matrix.2fa", false).await;
    sqlx::query("update users set totp_secret = $1 where id = $2")
        .bind(app::two_factor::totp::new_secret())
        .bind(two_factor)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let runtime = tokio::runtime::Handle::current();

    for (path, method, rule, args) in MATRIX {
        let mut runner = TestRunner::new(Config {
            cases: cases(),
            max_shrink_iters: 64,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&prop::collection::vec(mutation(), 1..=3), |mutations| {
            tokio::task::block_in_place(|| {
                runtime.block_on(async {
                    let headers = caller_headers(&app, *rule, seeded.node).await;
                    let payload = apply(*args, &mutations);
                    let response = app.send(request(path, method, payload, &headers)).await;
                    check(&response, &mutations).map_err(TestCaseError::fail)
                })
            })
        });
        if let Err(failure) = outcome {
            panic!("{method} {path} on {backend:?}: {failure}");
        }
    }

    // The panel still works afterwards: the admin signs in and reads their own data.
    let cookie = app.sign_in("matrix.admin", PASSWORD).await;
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

on_both_backends!(no_input_gets_a_server_error_or_leaks_internals);

/// Cases the properties found, kept as plain examples: a NUL byte in an activity filter or in a
/// server's owner used to reach PostgreSQL and come back as a 500, and the far ends of the
/// time range overflowed the range's slack.
async fn found_cases_get_field_messages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user("matrix.admin", true).await;
    let seeded = app.seed_server(admin, "found").await;
    let cookie = app.sign_in("matrix.admin", PASSWORD).await;

    for filter in ["event=a%00b", "actor=%00", "subject_type=user%01"] {
        for path in ["/api/admin/activity", "/api/admin/activity/export"] {
            let response = app.get(&format!("{path}?{filter}"), Some(&cookie)).await;
            assert_eq!(
                response.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}?{filter}"
            );
            assert_eq!(response.json()["kind"], "validation");
        }
    }
    let extremes = format!("from={}&to={}", i64::MIN, i64::MAX);
    let response = app
        .get(&format!("/api/admin/activity?{extremes}"), Some(&cookie))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);

    let body = serde_json::json!({ "input": {
        "name": "found", "owner": "matrix.admin\u{0}", "node_id": seeded.node,
        "allocation_id": seeded.allocations[1], "egg_id": seeded.egg, "docker_image": "img:a",
        "memory_mb": 1, "disk_mb": 1, "cpu_percent": 0,
    }});
    let response = app
        .post_json("/api/admin/servers/create", body, Some(&cookie))
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    assert!(response.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "owner"));
}

on_both_backends!(found_cases_get_field_messages);
