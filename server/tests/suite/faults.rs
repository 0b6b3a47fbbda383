//! Long fault tests, ignored by the normal run; `scripts/test-long` runs them.
//!
//! - F4: the real binary is killed with SIGKILL at random moments of a write storm, round after
//!   round (`GATEHOUSE_KILL_ROUNDS`, 100 unless set): every write it acknowledged is present
//!   afterwards and SQLite's `integrity_check` says ok.
//! - F5, A5: a PostgreSQL of the test's own (initdb in a scratch folder, on a free loopback
//!   port) is stopped under load: every request answers 503 within 5 seconds, none is allowed
//!   that should not be, and service returns without a restart once the database is back.
//!
//! Both drive the `gatehouse` binary over loopback with a small HTTP/1.1 client, as an operator's
//! proxy would, and print their figures for BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]

use crate::common::PASSWORD;
use rand::Rng;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BINARY: &str = env!("CARGO_BIN_EXE_gatehouse");

/// One answer: status, the body, and how long it took.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
    took: Duration,
}

/// A request over a fresh connection (`Connection: close`), read to the end.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<(&str, String)>,
) -> std::io::Result<Answer> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n"
    );
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = body.map(|(kind, text)| {
        head.push_str(&format!(
            "Content-Type: {kind}\r\nContent-Length: {}\r\n",
            text.len()
        ));
        text
    });
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if let Some(body) = body {
        stream.write_all(body.as_bytes()).await?;
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok(Answer {
        status,
        body,
        took: started.elapsed(),
    })
}

fn json(value: serde_json::Value) -> Option<(&'static str, String)> {
    Some(("application/json", value.to_string()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-faults-{:016x}",
        rand::thread_rng().gen::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with the environment of a server on `database_url` listening on `port`.
fn gatehouse(dir: &Path, database_url: &str, port: u16) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env("GATEHOUSE_DATABASE_URL", database_url)
        .env("GATEHOUSE_LISTEN", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_OUTBOX_DIR", dir.join("outbox"))
        .env("GATEHOUSE_SITE_ROOT", dir.join("site"))
        .env("GATEHOUSE_SIGN_IN_LIMIT", "1000000")
        .env("GATEHOUSE_CREDENTIAL_LIMIT", "1000000")
        .env("GATEHOUSE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Creates a user, a root admin or not, with the command line.
fn create_user(dir: &Path, database_url: &str, username: &str, admin: bool) {
    let mut command = gatehouse(dir, database_url, 1);
    command
        .args(["user", "create", "--username", username, "--email"])
        .arg(format!("{username}@example.test"))
        .args([
            "--first-name",
            "Fault",
            "--last-name",
            "Test",
            "--password-stdin",
        ]);
    if admin {
        command.arg("--admin");
    }
    let mut child = command.stdin(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success(), "user create failed");
}

/// Starts the server and waits for a ready `/healthz`.
async fn start(dir: &Path, database_url: &str, port: u16) -> Child {
    let mut child = gatehouse(dir, database_url, port).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(answer) = http(port, "GET", "/healthz", None, None).await {
            if answer.status == 200 {
                return child;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "gatehouse exited");
        assert!(Instant::now() < deadline, "gatehouse never became ready");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Signs in and returns `gatehouse_session=...` from the answer's head.
async fn sign_in(port: u16, username: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let body =
        serde_urlencoded::to_string([("identifier", username), ("password", PASSWORD)]).unwrap();
    let request = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    raw.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap().to_owned())
        })
        .filter(|cookie| cookie.starts_with("gatehouse_session="))
        .expect("a session cookie")
}

fn rounds() -> usize {
    std::env::var("GATEHOUSE_KILL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by scripts/test-long"]
async fn sigkill_during_a_write_storm_loses_no_acknowledged_write() {
    let dir = scratch();
    let url = format!("sqlite:{}", dir.join("gatehouse.db").display());
    let port = free_port();
    create_user(&dir, &url, "fault.root", true);
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut cookie = None;
    let mut storm_millis = Vec::new();
    let started = Instant::now();

    for round in 0..rounds() {
        let mut child = start(&dir, &url, port).await;
        let cookie = match &cookie {
            Some(cookie) => cookie,
            None => cookie.insert(sign_in(port, "fault.root").await),
        }
        .clone();

        // Eight writers create roles (a role row, its permissions and an activity row in one
        // transaction) as fast as they can, until the server dies under them.
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                let acknowledged = acknowledged.clone();
                let cookie = cookie.clone();
                tokio::spawn(async move {
                    for n in 0.. {
                        let name = format!("r{round}w{writer}n{n}");
                        let body = serde_json::json!({ "input": {
                            "name": name, "admin_permissions": ["users.read"],
                            "server_permissions": ["control.console"],
                        }});
                        match http(
                            port,
                            "POST",
                            "/api/admin/roles/create",
                            Some(&cookie),
                            json(body),
                        )
                        .await
                        {
                            Ok(answer) if answer.status == 200 => {
                                acknowledged.lock().unwrap().push(name)
                            }
                            Ok(answer) => panic!("{}: {}", answer.status, answer.body),
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        let wait = rand::thread_rng().gen_range(20..400);
        storm_millis.push(wait);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for writer in writers {
            writer.await.unwrap();
        }

        // With the server dead: the file is sound and holds every acknowledged write.
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let check: String = sqlx::query_scalar("pragma integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        let stored: std::collections::HashSet<String> =
            sqlx::query_scalar("select name from roles")
                .fetch_all(&pool)
                .await
                .unwrap()
                .into_iter()
                .collect();
        pool.close().await;
        let acknowledged = acknowledged.lock().unwrap();
        let lost: Vec<_> = acknowledged
            .iter()
            .filter(|name| !stored.contains(*name))
            .collect();
        assert!(lost.is_empty(), "round {round}: lost {lost:?}");
    }
    let total = acknowledged.lock().unwrap().len();
    println!(
        "FIGURE sigkill: {} rounds, {total} acknowledged writes, 0 lost, integrity ok every round, \
         killed after {}..{} ms of storm, {:.0} s in all",
        storm_millis.len(),
        storm_millis.iter().min().unwrap(),
        storm_millis.iter().max().unwrap(),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PostgreSQL cluster of the test's own, in a scratch folder, on a free loopback port.
struct OwnPostgres {
    bin: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl OwnPostgres {
    /// Runs a PostgreSQL program as the `postgres` user when this process is root (PostgreSQL
    /// refuses to run as root), as this user otherwise.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let status = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .stdout(Stdio::null())
                .status()
        } else {
            Command::new(&program)
                .args(args)
                .stdout(Stdio::null())
                .status()
        }
        .unwrap();
        assert!(status.success(), "{} {args:?} failed", program.display());
    }

    fn create() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed under /usr/lib/postgresql")
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("an initdb");
        let dir = scratch();
        if is_root() {
            assert!(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap()
                .success());
        }
        let cluster = Self {
            bin,
            data: dir.join("data"),
            dir,
            port: free_port(),
        };
        let data = cluster.data.display().to_string();
        cluster.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        );
        cluster.start();
        cluster
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log").display().to_string();
        let data = self.data.display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
    }

    fn stop(&self) {
        let data = self.data.display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let program = self.bin.join("pg_ctl");
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(program)
                .args(["-D", &data, "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
        } else {
            Command::new(program)
                .args(["-D", &data, "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// What the load saw: when a request started (from the test's start), its path, and the
/// answer (or a failure to connect at all).
type Log = Arc<Mutex<Vec<(Duration, &'static str, Result<(u16, Duration), String>)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by scripts/test-long"]
async fn postgres_stopped_under_load_answers_503_and_recovers_without_a_restart() {
    let postgres = OwnPostgres::create();
    let dir = scratch();
    let port = free_port();
    let url = postgres.url();
    create_user(&dir, &url, "fault.root", true);
    // A plain user: no admin permission at all.
    create_user(&dir, &url, "fault.plain", false);
    let mut server = start(&dir, &url, port).await;
    let root = sign_in(port, "fault.root").await;
    let plain = sign_in(port, "fault.plain").await;

    // Load: a root admin reading and writing, a plain user knocking on admin functions, an
    // anonymous caller doing the same.
    let clock = Instant::now();
    let log: Log = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<(&'static str, &'static str, Option<String>)> = vec![
        ("root reads users", "/api/admin/users", Some(root.clone())),
        ("root reads servers", "/api/servers", Some(root.clone())),
        (
            "root creates roles",
            "/api/admin/roles/create",
            Some(root.clone()),
        ),
        ("plain reads users", "/api/admin/users", Some(plain.clone())),
        (
            "plain creates roles",
            "/api/admin/roles/create",
            Some(plain.clone()),
        ),
        ("anonymous reads users", "/api/admin/users", None),
        ("health", "/healthz", None),
    ];
    // Three of each, so that the outage meets many requests at once.
    let tasks: Vec<_> = clients
        .iter()
        .cycle()
        .take(clients.len() * 3)
        .cloned()
        .enumerate()
        .map(|(copy, (name, path, cookie))| {
            let log = log.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let at = clock.elapsed();
                    let answer = if path.ends_with("/create") {
                        let body =
                            serde_json::json!({ "input": { "name": format!("{name} {copy}.{n}") } });
                        http(port, "POST", path, cookie.as_deref(), json(body)).await
                    } else {
                        http(port, "GET", path, cookie.as_deref(), None).await
                    };
                    let entry = answer
                        .map(|a| (a.status, a.took))
                        .map_err(|e| e.to_string());
                    log.lock().unwrap().push((at, name, entry));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopping = clock.elapsed();
    postgres.stop();
    let stopped = clock.elapsed();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let restarting = clock.elapsed();
    postgres.start();
    let restarted = clock.elapsed();
    // Service returns: the root admin's next reads succeed again, with the same session.
    let deadline = Instant::now() + Duration::from_secs(30);
    let recovered = loop {
        let answer = http(port, "GET", "/api/admin/users", Some(&root), None)
            .await
            .unwrap();
        if answer.status == 200 {
            break clock.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {} {}",
            answer.status,
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        server.try_wait().unwrap().is_none(),
        "the server stayed up throughout"
    );
    server.kill().unwrap();
    server.wait().unwrap();

    let log = log.lock().unwrap();
    let mut slowest = Duration::ZERO;
    let mut unavailable = 0;
    for (at, name, answer) in log.iter() {
        let (status, took) = answer
            .clone()
            .unwrap_or_else(|e| panic!("{name} at {at:?}: no answer: {e}"));
        // A fault is never anything but "unavailable", even for requests the stop cut short.
        assert!(status < 500 || status == 503, "{name} at {at:?}: {status}");
        // Never allowed, database or not.
        if name.starts_with("plain") {
            assert!(matches!(status, 403 | 503), "{name} at {at:?}: {status}");
        }
        if name.starts_with("anonymous") {
            assert!(matches!(status, 401 | 503), "{name} at {at:?}: {status}");
        }
        // Sent while the database was down: 503 (or the refusal that needs no database), fast.
        if *at > stopped && *at + took < restarting {
            slowest = slowest.max(took);
            assert!(
                took <= Duration::from_secs(5),
                "{name} at {at:?} took {took:?}"
            );
            if name.starts_with("root") || name == &"health" {
                assert_eq!(status, 503, "{name} at {at:?}");
                unavailable += 1;
            }
        }
        // Before the stop, everything the root admin did worked.
        if *at + took < stopping && name.starts_with("root") {
            assert_eq!(status, 200, "{name} at {at:?}");
        }
    }
    if unavailable == 0 {
        for (at, name, answer) in log.iter().filter(|(at, _, _)| *at >= stopping) {
            println!("{at:?} {name}: {answer:?}");
        }
        panic!(
            "no request ran during the outage (stopped at {stopped:?}, restarting at {restarting:?})"
        );
    }
    println!(
        "FIGURE postgres-stop: PostgreSQL stopped in {:.1} s; {} answers while it was down, all 503 \
         (refusals 401/403), slowest {:.2} s; restarted in {:.1} s; served again {:.2} s after the \
         restart, no Gatehouse restart; {} requests in all",
        (stopped - stopping).as_secs_f64(),
        unavailable,
        slowest.as_secs_f64(),
        (restarted - restarting).as_secs_f64(),
        (recovered.saturating_sub(restarted)).as_secs_f64(),
        log.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
