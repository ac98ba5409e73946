//! The local server, started in-process on a free port and driven over real HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use faasade_core::handler::{self, from_fn};
use faasade_core::{Context, Error, Request, Response, ResponseExt, Result, StatusCode};
use faasade_local::{Config, Running, start};

fn config(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.port = 0;
    config.workers = 2;
    config.data_dir = dir.join("data");
    config
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A normal request is answered `200`; then the server stops.
fn assert_still_serves(server: Running) {
    let res = client()
        .get(format!("{}/var", server.url()))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    server.shutdown();
}

async fn app(req: Request, cx: Context) -> Result<Response> {
    match req.uri().path() {
        "/var" => Ok(Response::text(cx.var("FROM_FILE").unwrap_or_default())),
        "/secret" => Ok(Response::text(cx.secret("TOKEN").unwrap_or_default())),
        "/sleep" => {
            tokio::time::sleep(Duration::from_millis(700)).await;
            Ok(Response::text("slept"))
        }
        "/meta" => Ok(Response::json(&serde_json::json!({
            "target": cx.target(),
            "request_id": cx.request_id(),
            "client_ip": cx.client_ip().map(|ip| ip.to_string()),
            "remaining_ms": cx.remaining().map(|d| d.as_millis() as u64),
            "uri": req.uri().to_string(),
        }))),
        "/kv" => {
            let kv = cx.kv("default")?;
            let n = kv
                .get_text("n")
                .await?
                .map_or(0, |v| v.parse::<u64>().unwrap_or(0))
                + 1;
            kv.put("n", n.to_string()).await?;
            Ok(Response::text(n.to_string()))
        }
        "/fetch-relative" => cx.fetch_url("/no-scheme").await,
        "/fetch-refused" => cx.fetch_url("http://127.0.0.1:9/").await,
        _ => Err(Error::not_found()),
    }
}

#[test]
fn vars_and_secrets_from_faasade_toml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("faasade.toml");
    std::fs::write(
        &path,
        "[vars]\nFROM_FILE = \"file value\"\n[secrets]\nTOKEN = \"dev-token\"\n",
    )
    .unwrap();
    let mut config = Config::from_file(&path).unwrap();
    config.port = 0;
    let server = start(config, || from_fn(app)).unwrap();
    let c = client();
    assert_eq!(
        c.get(format!("{}/var", server.url()))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "file value"
    );
    assert_eq!(
        c.get(format!("{}/secret", server.url()))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "dev-token"
    );
    server.shutdown();
}

#[test]
fn bodies_over_the_limit_get_413_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.body_limit = 1024;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let server = start(config, move || {
        let seen = seen.clone();
        from_fn(move |req: Request, _cx: Context| {
            seen.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, Error>(Response::text(req.body().len().to_string())) }
        })
    })
    .unwrap();
    let c = client();
    let ok = c.post(server.url()).body(vec![b'a'; 1024]).send().unwrap();
    assert_eq!(ok.text().unwrap(), "1024");
    // Declared too large: refused before reading.
    let big = c.post(server.url()).body(vec![b'a'; 1025]).send().unwrap();
    assert_eq!(big.status(), 413);
    assert!(big.text().unwrap().contains("larger than 1024 bytes"));
    // Chunked (no length declared): refused while reading.
    let chunks = chunked_reader(vec![vec![b'b'; 800], vec![b'b'; 800]]);
    let streamed = c
        .post(server.url())
        .body(reqwest::blocking::Body::new(chunks))
        .send()
        .unwrap();
    assert_eq!(streamed.status(), 413);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the handler never saw the oversize bodies"
    );
    assert_eq!(
        c.post(server.url())
            .body("x")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "1"
    );
    server.shutdown();
}

/// A reader with no known length, so reqwest sends it chunked.
fn chunked_reader(chunks: Vec<Vec<u8>>) -> impl Read + Send + 'static {
    std::io::Cursor::new(chunks.concat())
}

#[test]
fn malformed_http_gets_400_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(config(dir.path()), || from_fn(app)).unwrap();
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET /var HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_still_serves(server);
}

#[test]
fn slow_handlers_get_504_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.timeout = Duration::from_millis(200);
    let server = start(config, || from_fn(app)).unwrap();
    let res = client()
        .get(format!("{}/sleep", server.url()))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(res.text().unwrap(), "Gateway Timeout\n");
    server.shutdown();
}

#[test]
fn request_metadata_is_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(config(dir.path()), || from_fn(app)).unwrap();
    let text = client()
        .get(format!("{}/meta?q=1", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(meta["target"], "local");
    assert_eq!(meta["client_ip"], "127.0.0.1");
    assert_eq!(meta["request_id"].as_str().unwrap().len(), 36);
    assert!(meta["remaining_ms"].as_u64().unwrap() > 25_000);
    assert_eq!(meta["uri"], format!("{}/meta?q=1", server.url()));
    server.shutdown();
}

#[test]
fn kv_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let c = client();
    for expected in ["1", "2"] {
        let server = start(config(dir.path()), || from_fn(app)).unwrap();
        assert_eq!(
            c.get(format!("{}/kv", server.url()))
                .send()
                .unwrap()
                .text()
                .unwrap(),
            expected
        );
        server.shutdown();
    }
}

#[test]
fn fetch_failures_are_logged_500s_and_502s() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(config(dir.path()), || from_fn(app)).unwrap();
    let c = client();
    let relative = c
        .get(format!("{}/fetch-relative", server.url()))
        .send()
        .unwrap();
    assert_eq!(relative.status(), 500);
    let refused = c
        .get(format!("{}/fetch-refused", server.url()))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 502);
    assert_eq!(
        refused.text().unwrap(),
        "Bad Gateway\n",
        "no internals in the body"
    );
    server.shutdown();
}

#[test]
fn shutdown_finishes_open_requests_and_wait_until_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let finished = Arc::new(AtomicUsize::new(0));
    let done = finished.clone();
    let server: Running = start(config(dir.path()), move || {
        let done = done.clone();
        from_fn(move |_req: Request, cx: Context| {
            let done = done.clone();
            async move {
                cx.wait_until(async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    done.fetch_add(1, Ordering::SeqCst);
                })?;
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok::<_, Error>(Response::text("done"))
            }
        })
    })
    .unwrap();
    let url = server.url();
    let request = std::thread::spawn(move || client().get(url).send().unwrap().text().unwrap());
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.shutdown();
    assert_eq!(
        request.join().unwrap(),
        "done",
        "the open request was answered"
    );
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "the wait_until task ran to the end"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn event_functions_take_posted_json() {
    #[derive(serde::Deserialize)]
    struct In {
        a: i64,
        b: i64,
    }
    async fn add(input: In, _cx: Context) -> Result<serde_json::Value> {
        Ok(serde_json::json!({ "sum": input.a + input.b }))
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start(config(dir.path()), || handler::from_event(add)).unwrap();
    let c = client();
    let res = c
        .post(server.url())
        .body(r#"{"a":2,"b":3}"#)
        .send()
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().unwrap(), r#"{"sum":5}"#);
    assert_eq!(
        c.post(server.url())
            .body(r#"{"a":2}"#)
            .send()
            .unwrap()
            .status(),
        400
    );
    assert_eq!(c.get(server.url()).send().unwrap().status(), 405);
    server.shutdown();
}

#[test]
fn call_answers_in_process_like_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let get = |path: &str| {
        http::Request::get(path)
            .body(faasade_core::Body::empty())
            .unwrap()
    };
    let res = faasade_local::call(&config, &from_fn(app), get("/kv"));
    assert_eq!(res.body().as_bytes(), b"1");
    assert_eq!(
        faasade_local::call(&config, &from_fn(app), get("/kv"))
            .body()
            .as_bytes(),
        b"2"
    );
    assert_eq!(
        faasade_local::call(&config, &from_fn(app), get("/nope")).status(),
        404
    );
    let meta = faasade_local::call(&config, &from_fn(app), get("/meta"));
    let meta: serde_json::Value = serde_json::from_slice(meta.body().as_bytes()).unwrap();
    assert_eq!(meta["target"], "local");
    assert_eq!(meta["client_ip"], serde_json::Value::Null);
}

#[test]
fn undeclared_kv_stores_fail_like_unbound_ones_on_providers() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.kv_stores = Some(vec!["sessions".to_owned()]);
    let get = |path: &str| {
        http::Request::get(path)
            .body(faasade_core::Body::empty())
            .unwrap()
    };
    let res = faasade_local::call(&config, &from_fn(app), get("/kv"));
    assert_eq!(res.status(), 500, "`default` is not in [kv] stores");
    config.kv_stores = Some(vec!["default".to_owned()]);
    let res = faasade_local::call(&config, &from_fn(app), get("/kv"));
    assert_eq!(res.status(), 200);
}

/// Reads what the server sends on `stream` until it closes, for at most 5 s: the text and when
/// it closed (`None` if it did not).
fn read_until_closed(stream: &mut TcpStream) -> (String, Option<Duration>) {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(_) => return (String::from_utf8_lossy(&answer).into_owned(), None),
        }
    }
    (
        String::from_utf8_lossy(&answer).into_owned(),
        Some(started.elapsed()),
    )
}

#[test]
fn slow_heads_bodies_and_idle_connections_are_closed_at_their_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.header_timeout = Duration::from_millis(800);
    config.timeout = Duration::from_millis(800);
    let server = start(config, || from_fn(app)).unwrap();

    // Nothing sent; half a head; a body that stops short; a kept-alive connection left idle.
    let mut silent = TcpStream::connect(server.addr()).unwrap();
    let mut half_head = TcpStream::connect(server.addr()).unwrap();
    half_head
        .write_all(b"GET /var HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut short_body = TcpStream::connect(server.addr()).unwrap();
    short_body
        .write_all(b"POST /var HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes.")
        .unwrap();
    let mut idle = TcpStream::connect(server.addr()).unwrap();
    idle.write_all(b"GET /var HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();

    for (name, stream) in [("silent", &mut silent), ("half head", &mut half_head)] {
        let (answer, closed) = read_until_closed(stream);
        let closed = closed.unwrap_or_else(|| panic!("{name}: still open after 5 s"));
        assert!(
            closed < Duration::from_secs(3),
            "{name}: closed after {closed:?}"
        );
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{name}: {answer}"
        );
    }
    let (answer, closed) = read_until_closed(&mut short_body);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        closed.is_some_and(|c| c < Duration::from_secs(3)),
        "{closed:?}"
    );
    let (answer, closed) = read_until_closed(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed.is_some_and(|c| c < Duration::from_secs(3)),
        "{closed:?}"
    );

    assert_still_serves(server);
}

/// Set in the child process of the test below, which serves under `ulimit -n 1024`.
const UNDER_ULIMIT: &str = "FAASADE_TEST_SERVE_UNDER_ULIMIT";

/// The server the test below starts in a child process (`ulimit -n 1024`, default settings):
/// prints its port, serves until stdin closes.
#[test]
#[ignore = "run by slow_clients_under_ulimit_1024_leave_normal_clients_served"]
fn serve_until_stdin_closes() {
    if std::env::var_os(UNDER_ULIMIT).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start(config(dir.path()), || from_fn(app)).unwrap();
    println!("PORT {}", server.addr().port());
    std::io::stdout().flush().unwrap();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    server.shutdown();
}

#[test]
fn slow_clients_under_ulimit_1024_leave_normal_clients_served() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 1024 && exec \"$@\"", "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "serve_until_stdin_closes",
            "--ignored",
            "--nocapture",
        ])
        .env(UNDER_ULIMIT, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines
        .by_ref()
        .map_while(|l| l.ok())
        .find_map(|l| l.strip_prefix("PORT ").map(|p| p.parse().unwrap()))
        .expect("the child server's port");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));

    // 1,500 clients that send half a request head and then nothing.
    let mut slow = Vec::new();
    for _ in 0..1500 {
        let mut stream = TcpStream::connect(addr).unwrap();
        let _ = stream.write_all(b"GET /var HTTP/1.1\r\nHost: x\r\n");
        slow.push(stream);
    }
    for _ in 0..3 {
        let started = Instant::now();
        let mut normal = TcpStream::connect(addr).unwrap();
        normal
            .write_all(b"GET /var HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (answer, _) = read_until_closed(&mut normal);
        let took = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
        assert!(
            took < Duration::from_secs(1),
            "a normal client waited {took:?}"
        );
    }
    drop(slow);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}
