//! The Wasm host's promises, checked on a real component (tests/guest, built for
//! `wasm32-wasip2`) served in process: the time and memory limits stop a request without
//! harming the next one, nothing reaches files, the environment or the network unless given,
//! instances are fresh per request unless reuse is asked for, and a second start loads the
//! compiled component from the `.cwasm` cache.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use faasade_wasm_host::{Host, HostConfig};
use http_body_util::{BodyExt, Full};

/// The guest component, built once per test run.
fn guest() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = std::process::Command::new(cargo)
                .args(["build", "--release", "--quiet", "--target", "wasm32-wasip2"])
                .args(["-p", "faasade-wasm-host-guest"])
                .current_dir(&root)
                .status()
                .expect("run cargo");
            assert!(status.success(), "building tests/guest failed");
            let target = std::env::var("CARGO_TARGET_DIR")
                .map_or_else(|_| root.join("target"), PathBuf::from);
            target.join("wasm32-wasip2/release/faasade_wasm_host_guest.wasm")
        })
        .clone()
}

fn config(cache: &tempfile::TempDir) -> HostConfig {
    let mut config = HostConfig::for_app(guest(), None).unwrap();
    config.cache_dir = Some(cache.path().to_owned());
    config.timeout = Duration::from_millis(500);
    config.memory_limit = 32 << 20;
    config.env = vec![("GREETING".into(), "hi".into())];
    config
}

/// `GET path` on a host made from `config`: status and body.
fn get_all(config: HostConfig, paths: &[&str]) -> Vec<(u16, String)> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let host = Host::new(config).unwrap();
        let mut answers = Vec::new();
        for path in paths {
            let req = http::Request::get(*path)
                .header("host", "guest.test")
                .body(Full::new(Bytes::new()))
                .unwrap();
            let res = host.handle(req).await;
            let status = res.status().as_u16();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            answers.push((status, String::from_utf8_lossy(&body).into_owned()));
            // Let the instance finish its reply and become free for the next request.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        answers
    })
}

#[test]
fn a_request_without_a_host_is_refused_by_the_host() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer = runtime.block_on(async {
        let host = Host::new(config(&cache)).unwrap();
        let req = http::Request::get("/")
            .body(Full::new(Bytes::new()))
            .unwrap();
        host.handle(req).await.status()
    });
    assert_eq!(answer, 400);
}

#[test]
fn a_guest_stuck_in_a_loop_is_stopped_at_the_time_limit() {
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let answers = get_all(config(&cache), &["/spin", "/"]);
    assert_eq!(answers[0], (500, "Internal Server Error\n".into()));
    assert_eq!(answers[1], (200, "ok".into()), "the next request is served");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "stopped after {:?}",
        started.elapsed()
    );
}

#[test]
fn memory_past_the_limit_fails_the_request_not_the_host() {
    let cache = tempfile::tempdir().unwrap();
    let answers = get_all(config(&cache), &["/alloc?mb=8", "/alloc?mb=64", "/"]);
    assert_eq!(answers[0], (200, (8 << 20).to_string()));
    assert_eq!(answers[1].0, 500, "64 MiB is past the 32 MiB limit");
    assert_eq!(answers[2], (200, "ok".into()));
}

/// A one-shot upstream on loopback answering `200 up`; its `host:port`.
fn upstream() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nup");
        }
    });
    addr.to_string()
}

#[test]
fn nothing_is_reachable_unless_given() {
    let cache = tempfile::tempdir().unwrap();
    let allowed = upstream();
    let other = upstream();
    let mut config = config(&cache);
    config.allowed_outbound = vec![allowed.clone()];
    let fetch_allowed = format!("/fetch?url=http://{allowed}/");
    let fetch_other = format!("/fetch?url=http://{other}/");
    let answers = get_all(
        config,
        &[
            "/file",
            "/env?name=GREETING",
            "/env?name=HOME",
            &fetch_allowed,
            &fetch_other,
        ],
    );
    assert_eq!(answers[0].0, 403, "no file is readable: {answers:?}");
    assert_eq!(answers[1], (200, "hi".into()), "given variables are");
    assert_eq!(answers[2].0, 404, "the host's environment is not inherited");
    assert_eq!(
        answers[3],
        (200, "fetched".into()),
        "a declared upstream is"
    );
    assert_eq!(
        answers[4],
        (502, "ErrorCode::HttpRequestDenied".into()),
        "any other is denied"
    );
}

#[test]
fn instances_are_fresh_per_request_unless_reuse_is_asked_for() {
    let cache = tempfile::tempdir().unwrap();
    let counts = |config| -> Vec<String> {
        get_all(config, &["/count", "/count", "/count", "/count"])
            .into_iter()
            .map(|(_, body)| body)
            .collect()
    };
    assert_eq!(counts(config(&cache)), ["1", "1", "1", "1"]);
    // With reuse, an instance serves up to 3 requests (the host may still start another
    // while one finishes its reply, so which one serves which request may vary).
    let mut reused = config(&cache);
    reused.instance_reuse = 3;
    let counts: Vec<u32> = counts(reused).iter().map(|c| c.parse().unwrap()).collect();
    assert!(
        counts.iter().any(|&c| c > 1),
        "an instance was reused: {counts:?}"
    );
    assert!(
        counts.iter().all(|&c| c <= 3),
        "at most 3 requests each: {counts:?}"
    );
}

#[test]
fn a_second_start_loads_the_compiled_component_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let first = Host::new(config(&cache)).unwrap();
    assert!(!first.loaded.from_cache);
    assert_eq!(first.world, "wasi:http 0.2");
    let file = first.loaded.cache_file.clone().expect("a cache file");
    assert!(file.exists(), "{}", file.display());
    let second = Host::new(config(&cache)).unwrap();
    assert!(second.loaded.from_cache, "loaded from {}", file.display());
    assert_eq!(second.loaded.cache_file, Some(file.clone()));
    // A damaged cache file is recompiled, never trusted. (Replaced by a rename, as the cache
    // itself writes: truncating a file that a loaded component maps would pull memory from
    // under it.)
    drop((first, second));
    let damaged = file.with_extension("damaged");
    std::fs::write(&damaged, b"not machine code").unwrap();
    std::fs::rename(&damaged, &file).unwrap();
    let third = Host::new(config(&cache)).unwrap();
    assert!(!third.loaded.from_cache);
}

/// An upstream on loopback that answers `200` only after `delay`; its `host:port`.
fn slow_upstream(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                std::thread::sleep(delay);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nup");
            });
        }
    });
    addr.to_string()
}

#[test]
fn past_the_pool_requests_wait_briefly_then_get_503_with_retry_after() {
    let cache = tempfile::tempdir().unwrap();
    let slow = slow_upstream(Duration::from_secs(3));
    let mut config = config(&cache);
    config.allowed_outbound = vec![slow.clone()];
    config.timeout = Duration::from_secs(20);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answers = runtime.block_on(async {
        let host = Arc::new(Host::new(config).unwrap());
        let parked: Vec<_> = (0..300)
            .map(|_| {
                let host = host.clone();
                let path = format!("/fetch?url=http://{slow}/");
                tokio::spawn(async move {
                    let req = http::Request::get(path)
                        .header("host", "guest.test")
                        .body(Full::new(Bytes::new()))
                        .unwrap();
                    let res = host.handle(req).await;
                    let retry_after = res.headers().get("retry-after").cloned();
                    let status = res.status().as_u16();
                    let _ = res.into_body().collect().await;
                    (status, retry_after)
                })
            })
            .collect();
        let mut answers = Vec::new();
        for task in parked {
            answers.push(task.await.unwrap());
        }
        // The host is free again once they are answered.
        let next = get_on(&host, "/").await;
        (answers, next)
    });
    let (answers, next) = answers;
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert_eq!(ok + busy.len(), 300, "{answers:?}");
    assert_eq!(busy.len(), 300 - 256, "{answers:?}");
    assert!(
        busy.iter()
            .all(|(_, r)| r.as_ref().is_some_and(|r| r == "1"))
    );
    assert_eq!(next, 200);
}

async fn get_on(host: &Host, path: &str) -> u16 {
    let req = http::Request::get(path)
        .header("host", "guest.test")
        .body(Full::new(Bytes::new()))
        .unwrap();
    host.handle(req).await.status().as_u16()
}

#[test]
fn all_instances_together_stay_within_the_hosts_memory_budget() {
    let cache = tempfile::tempdir().unwrap();
    let mut config = config(&cache);
    // Each instance may reach 32 MiB, but all of them together only 20 MiB.
    config.total_memory_limit = 20 << 20;
    let answers = get_all(config, &["/alloc?mb=8", "/alloc?mb=24", "/alloc?mb=8"]);
    assert_eq!(answers[0], (200, (8 << 20).to_string()));
    assert_eq!(answers[1].0, 500, "24 MiB is past the host's 20 MiB");
    // Memory comes back when an instance ends: the next request is served.
    assert_eq!(answers[2], (200, (8 << 20).to_string()));
}

#[test]
fn a_client_that_never_finishes_its_head_is_closed_at_the_header_timeout() {
    let cache = tempfile::tempdir().unwrap();
    let mut config = config(&cache);
    config.header_timeout = Duration::from_millis(800);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = runtime.block_on(async {
        let host = Arc::new(Host::new(config).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(host.serve(listener));
        addr
    });
    let mut slow = std::net::TcpStream::connect(addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: guest.test\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = match slow.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed, "still open after 5 s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let mut normal = std::net::TcpStream::connect(addr).unwrap();
    normal
        .write_all(b"GET / HTTP/1.1\r\nHost: guest.test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    normal.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(runtime);
}
