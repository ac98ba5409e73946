//! Local target vs plain hyper: requests per second of `examples/hello` served by Faasade's
//! local target and of a plain hyper hello world, measured in the same run on the same machine
//! over loopback, with the ratio printed.
//!
//! `cargo bench -p faasade-benches --bench local_vs_hyper` (release builds of both servers are made first).
//! `FAASADE_BENCH_SECS` sets each round's length (default 3), `FAASADE_BENCH_ROUNDS` the rounds
//! per server (default 5), `FAASADE_BENCH_CONNECTIONS` the keep-alive connections (default 32).
//! Rounds alternate between the servers so drift on the machine hits both alike; the median
//! round counts. Every request is bounded in time and the whole run in count of rounds.
//!
//! Where `taskset` exists, each server runs on one worker thread pinned to the last core and
//! the load generator on the first, so the figure is the per-request cost of each server
//! rather than how the scheduler shares two busy cores.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{Proc, env_or, median, pin_self, pinned};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

fn main() {
    let _scratch = common::Scratch;
    let pinned = pin_self();
    let secs = env_or("FAASADE_BENCH_SECS", 3);
    let rounds = env_or("FAASADE_BENCH_ROUNDS", 5);
    let connections = env_or("FAASADE_BENCH_CONNECTIONS", 32) as usize;
    let faasade = common::build(&["-p", "hello"], "hello", "faasade-local-hello");
    let hyper = common::build(
        &["-p", "faasade-benches", "--example", "hyper_hello"],
        "examples/hyper_hello",
        "hyper-hello",
    );

    let configs: [(&str, std::path::PathBuf, &str); 3] = [
        ("plain hyper", hyper, "info"),
        ("faasade local", faasade.clone(), "info"),
        (
            "faasade local, access log off",
            faasade,
            "info,faasade::access=off",
        ),
    ];
    let servers: Vec<(&str, Server)> = configs
        .iter()
        .enumerate()
        .map(|(i, (name, exe, log))| (*name, Server::start(i, exe, log)))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Warm-up: connections, caches, the page cache for the binaries.
    for (_, server) in &servers {
        rt.block_on(load(server.port, connections, Duration::from_millis(500)));
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        for (i, (name, server)) in servers.iter().enumerate() {
            let (ok, elapsed) =
                rt.block_on(load(server.port, connections, Duration::from_secs(secs)));
            let rate = ok as f64 / elapsed.as_secs_f64();
            println!("round {}: {name:<30} {rate:>10.0} req/s", round + 1);
            rates[i].push(rate);
        }
    }
    let medians: Vec<f64> = rates.iter_mut().map(|r| median(r)).collect();
    let pinning = if pinned {
        "servers pinned to 1 core, 1 worker"
    } else {
        "unpinned"
    };
    println!(
        "\nlocal target vs plain hyper ({connections} connections, {rounds} x {secs}s rounds, {pinning}, medians):"
    );
    for ((name, _), rate) in servers.iter().zip(&medians) {
        println!("  {name:<30} {rate:>10.0} req/s");
    }
    println!(
        "  ratio faasade local / plain hyper (access log on):  {:.2}",
        medians[1] / medians[0]
    );
    println!(
        "  ratio faasade local / plain hyper (access log off): {:.2}",
        medians[2] / medians[0]
    );
}

struct Server {
    port: u16,
    _proc: Proc,
}

impl Server {
    /// Start `exe` on a free port with one worker.
    fn start(n: usize, exe: &std::path::Path, rust_log: &str) -> Self {
        let mut command = pinned(exe);
        command
            .env("PORT", "0")
            .env("FAASADE_WORKERS", "1")
            .env("TOKIO_WORKER_THREADS", "1")
            .env("RUST_LOG", rust_log)
            .env("FAASADE_DATA_DIR", common::scratch_file("data"));
        let mut proc = Proc::spawn(command, &format!("server-{n}"));
        let port = proc.wait_for("listening line", common::listening_port);
        Self { port, _proc: proc }
    }
}

/// `connections` keep-alive connections sending `GET /bench` back to back for `duration`.
async fn load(port: u16, connections: usize, duration: Duration) -> (u64, Duration) {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + duration;
    let local = tokio::task::LocalSet::new();
    let tasks: Vec<_> = (0..connections)
        .map(|_| local.spawn_local(connection(port, deadline)))
        .collect();
    let total = local
        .run_until(async move {
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap_or(0);
            }
            total
        })
        .await;
    (total, started.elapsed())
}

async fn connection(port: u16, deadline: tokio::time::Instant) -> u64 {
    let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return 0;
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) = http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream)).await
    else {
        return 0;
    };
    tokio::task::spawn_local(conn);
    let mut ok = 0;
    while tokio::time::Instant::now() < deadline {
        let req = hyper::Request::get("/bench")
            .header("host", "127.0.0.1")
            .body(Empty::new())
            .unwrap();
        let Ok(Ok(res)) =
            tokio::time::timeout(Duration::from_secs(5), sender.send_request(req)).await
        else {
            break;
        };
        let status = res.status();
        if res.into_body().collect().await.is_err() {
            break;
        }
        if status == 200 {
            ok += 1;
        }
    }
    ok
}
