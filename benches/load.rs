//! Load and soak, on loopback only and bounded in time: `wrk` against `examples/hello` served by
//! Faasade's local target and by the Wasm host, at a concurrency well past either server's
//! worker count. A run passes when every request is answered `2xx` with no socket error, the
//! server still runs and answers afterwards, and (in a soak of a minute or more) its resident
//! memory stays flat. wrk's p50, p99 and requests per second and the memory samples are printed.
//!
//! `cargo bench -p faasade-benches --bench load` (the test command runs it for 5 s a server).
//! `FAASADE_LOAD_SECS` sets each run's length (default 10), `FAASADE_LOAD_CONNECTIONS` the
//! connections (default 256). The soak: `FAASADE_LOAD_SECS=600 cargo bench -p faasade-benches
//! --bench load`, where the last minute's memory may exceed the first minute's by 25% at most.
//! `wrk` comes from Debian (`apt-get install wrk`; the test command installs it).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Proc, env_or};

fn main() {
    let _scratch = common::Scratch;
    let secs = env_or("FAASADE_LOAD_SECS", 10);
    let connections = env_or("FAASADE_LOAD_CONNECTIONS", 256);
    // The same builds as the other benches, so the test command compiles nothing more.
    let local = common::build(&["-p", "hello"], "hello", "load-local-hello");
    let component = common::build(
        &[
            "-p",
            "hello",
            "--features",
            "wasi",
            "--lib",
            "--target",
            "wasm32-wasip2",
        ],
        "hello.wasm",
        "load-hello.wasm",
    );
    let host = common::wasm_host("load-wasm-host");

    let mut failures = Vec::new();
    let mut local_server = Command::new(&local);
    local_server
        .env("PORT", "0")
        .env("RUST_LOG", "info,faasade::access=off")
        .env("FAASADE_DATA_DIR", common::scratch_file("load-data"));
    let port = common::free_port();
    let mut host_server = Command::new(&host);
    host_server
        .args(["serve", "--env", "GREETING=hello", "--cache-dir"])
        .arg(common::scratch_file("load-cwasm"))
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg(&component);
    for (name, command, port) in [
        ("faasade local", local_server, None),
        ("faasade-wasm-host", host_server, Some(port)),
    ] {
        match run(name, command, port, secs, connections) {
            Ok(report) => println!("{report}"),
            Err(e) => {
                println!("{name}: FAILED: {e}");
                failures.push(name);
            }
        }
    }
    assert!(failures.is_empty(), "load failed on {failures:?}");
}

/// Start `command`, load it with wrk for `secs`, check the outcome; a one-line report.
fn run(
    name: &str,
    command: Command,
    port: Option<u16>,
    secs: u64,
    connections: u64,
) -> Result<String, String> {
    let mut server = Proc::spawn(command, name);
    let port = match port {
        Some(port) => port,
        None => server.wait_for("listening line", common::listening_port),
    };
    let url = format!("http://127.0.0.1:{port}/load");
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    common::retry_get(&client, &url, Duration::from_secs(120))
        .map_err(|e| format!("{url} does not answer: {e}"))?;

    let pid = server.id();
    let sampler = std::thread::spawn(move || rss_samples(pid, Duration::from_secs(secs)));
    let out = Command::new("wrk")
        .args(["-t", "1", "-c", &connections.to_string(), "-d"])
        .arg(format!("{secs}s"))
        .args(["--timeout", "5s", "--latency"])
        .arg(&url)
        .output()
        .map_err(|e| format!("wrk does not run ({e}); `apt-get install wrk`"))?;
    let samples = sampler.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stats =
        WrkStats::parse(&text).ok_or_else(|| format!("cannot read wrk's report:\n{text}"))?;
    if stats.requests == 0 || stats.errors > 0 {
        return Err(format!(
            "{} requests, {} errors:\n{text}",
            stats.requests, stats.errors
        ));
    }
    if server.exited() {
        return Err(format!("the server stopped under load:\n{}", server.log()));
    }
    common::retry_get(&client, &url, Duration::from_secs(5))
        .map_err(|e| format!("no answer after the load: {e}"))?;
    let memory = memory_report(&samples, secs)?;
    Ok(format!(
        "{name:<18} {connections} connections, {secs} s: {} requests, 0 errors, {:.0} req/s, \
         p50 {}, p99 {}; {memory}",
        stats.requests, stats.rate, stats.p50, stats.p99
    ))
}

/// The server's resident memory in KiB, once a second for `length`.
fn rss_samples(pid: u32, length: Duration) -> Vec<u64> {
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < length {
        std::thread::sleep(Duration::from_secs(1));
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss: Option<u64> = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
        samples.extend(rss);
    }
    samples
}

/// Memory at the start, at its highest and at the end; in a soak of a minute or more, an error
/// when the last minute's median is more than 25% above the first minute's.
fn memory_report(samples: &[u64], secs: u64) -> Result<String, String> {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Ok("memory not sampled".to_owned());
    };
    let max = samples.iter().max().unwrap_or(last);
    let report = format!(
        "RSS {} MiB first, {} MiB max, {} MiB last",
        first / 1024,
        max / 1024,
        last / 1024
    );
    if secs >= 60 && samples.len() >= 120 {
        let mut head = samples[..60].to_vec();
        let mut tail = samples[samples.len() - 60..].to_vec();
        let (head, tail) = (common::median_u64(&mut head), common::median_u64(&mut tail));
        if tail * 4 > head * 5 {
            return Err(format!(
                "{report}: the last minute's median ({tail} KiB) is more than 25% above the first's ({head} KiB)"
            ));
        }
    }
    Ok(report)
}

/// What wrk reports.
struct WrkStats {
    requests: u64,
    /// Socket errors (connect, read, write, timeout) and non-2xx/3xx answers.
    errors: u64,
    rate: f64,
    p50: String,
    p99: String,
}

impl WrkStats {
    fn parse(text: &str) -> Option<Self> {
        let requests = text
            .lines()
            .find(|l| l.contains(" requests in "))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let mut errors = 0;
        for line in text.lines().map(str::trim) {
            if let Some(counts) = line.strip_prefix("Socket errors:") {
                errors += counts
                    .split(',')
                    .filter_map(|c| c.split_whitespace().last()?.parse::<u64>().ok())
                    .sum::<u64>();
            }
            if let Some(count) = line.strip_prefix("Non-2xx or 3xx responses:") {
                errors += count.trim().parse::<u64>().ok()?;
            }
        }
        let rate = text
            .lines()
            .find_map(|l| l.strip_prefix("Requests/sec:"))?
            .trim()
            .parse()
            .ok()?;
        let percentile = |p: &str| {
            text.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix(p))
                .map(|v| v.trim().to_owned())
        };
        Some(Self {
            requests,
            errors,
            rate,
            p50: percentile("50%")?,
            p99: percentile("99%")?,
        })
    }
}
