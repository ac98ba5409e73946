//! Cloudflare target vs hand-written workers-rs: `examples/hello` built with
//! `--features cloudflare` and two hello worlds written directly against the `worker` crate —
//! one on its own request and response types (benches/workers-rs-hello), one on the `http`
//! types through its `http` feature (benches/workers-rs-http-hello), as Faasade uses them —
//! all built by worker-build and served by one workerd process (Cloudflare's runtime) in the
//! same run. Prints the per-request latency ratios and the ratios of the gzip'd Wasm sizes
//! (what Workers' size limit counts) against each baseline. A third hand-written Worker,
//! benches/workers-rs-http-floor, is built for its size only: the bare hello plus the least
//! any Worker on `http` types must do (request head in, response head out), the floor under
//! Faasade's size, whose contract is those types.
//!
//! `cargo bench -p faasade-benches --bench cloudflare_vs_workers_rs`. Needs the test command's tools: worker-build
//! (`FAASADE_WORKER_BUILD`), the wasm-bindgen CLI (`FAASADE_WASM_BINDGEN`) and the npm folder
//! with workerd, wasm-opt and esbuild (`FAASADE_NPM`). `FAASADE_BENCH_SECS` sets each round's
//! length (default 3), `FAASADE_BENCH_ROUNDS` the rounds (default 5). Requests alternate
//! between the two Workers one by one; each round reports the median request, and the median
//! round counts. workerd runs pinned to one core, the client on the other, where `taskset`
//! exists.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Proc, env_or, pin_self, pinned};

/// (label, name, package folder, extra worker-build arguments)
const WORKERS: [(&str, &str, &str, &[&str]); 3] = [
    (
        "faasade --features cloudflare",
        "faasade",
        "examples/hello",
        &["--features", "cloudflare"],
    ),
    (
        "workers-rs (hand-written)",
        "baseline",
        "benches/workers-rs-hello",
        &[],
    ),
    (
        "workers-rs + http (hand-written)",
        "baselineHttp",
        "benches/workers-rs-http-hello",
        &[],
    ),
];

/// (label, package folder): built for its size, not served.
const FLOOR: (&str, &str) = (
    "workers-rs + least http (floor)",
    "benches/workers-rs-http-floor",
);

fn main() {
    let _scratch = common::Scratch;
    let pinned_self = pin_self();
    let secs = env_or("FAASADE_BENCH_SECS", 3);
    let rounds = env_or("FAASADE_BENCH_ROUNDS", 5);
    let npm = cargo_faasade::tools::cached("FAASADE_NPM", "npm");
    let dir = common::scratch_file("cloudflare");
    std::fs::create_dir_all(&dir).unwrap();
    let built_size = |name: &str, package: &str, args: &[&str]| {
        let package = common::workspace().join(package);
        cargo_faasade::targets::cloudflare::worker_build(&package, &dir.join(name), true, args)
            .unwrap_or_else(|e| panic!("worker-build {}: {e:#}", package.display()));
        gzip_size(&dir.join(name).join("index_bg.wasm"))
    };
    let sizes: Vec<u64> = WORKERS
        .iter()
        .map(|(_, name, package, args)| built_size(name, package, args))
        .collect();
    let floor = built_size("floor", FLOOR.1, &[]);

    let ports = [(); 3].map(|()| common::free_port());
    std::fs::write(dir.join("config.capnp"), workerd_config(&ports)).unwrap();
    let workerd = npm.join("node_modules/@cloudflare/workerd-linux-64/bin/workerd");
    let mut command = pinned(&workerd);
    command
        .args(["serve", "config.capnp", "--experimental"])
        .current_dir(&dir);
    let workerd = Proc::spawn(command, "workerd");

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let urls = ports.map(|p| format!("http://127.0.0.1:{p}/bench"));
    for ((label, ..), url) in WORKERS.iter().zip(&urls) {
        let body = common::retry_get(&client, url, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{label} does not answer: {e}\n{}", workerd.log()));
        assert_eq!(body, "hello /bench\n", "{label} answered {body:?}");
    }
    let labels = WORKERS.map(|(label, ..)| label);
    let medians = common::latency_rounds(&client, labels, &urls, rounds, secs);
    let pinning = if pinned_self {
        "workerd pinned to 1 core"
    } else {
        "unpinned"
    };
    println!(
        "\ncloudflare target vs hand-written workers-rs (one workerd, one request at a time, \
         {rounds} x {secs}s rounds of alternating requests, {pinning}, medians):"
    );
    for (((label, ..), micros), size) in WORKERS.iter().zip(&medians).zip(&sizes) {
        println!(
            "  {label:<32} {micros:>8.1} µs/request   {:>7.1} KB gzip'd wasm",
            *size as f64 / 1e3
        );
    }
    println!(
        "  {:<32} {:>8} µs/request   {:>7.1} KB gzip'd wasm (built for its size only)",
        FLOOR.0,
        "-",
        floor as f64 / 1e3
    );
    for (baseline, i) in [("workers-rs", 1), ("workers-rs + http", 2)] {
        println!(
            "  faasade / {baseline:<18} latency {:.3}   wasm size {:.3}",
            medians[0] / medians[i],
            sizes[0] as f64 / sizes[i] as f64
        );
    }
    println!(
        "  floor / workers-rs                            wasm size {:.3}   (the least any Worker on http types adds)",
        floor as f64 / sizes[1] as f64
    );
    println!(
        "  faasade / floor                               wasm size {:.3}",
        sizes[0] as f64 / floor as f64
    );
}

/// The size of `gzip -9` of a file.
fn gzip_size(path: &Path) -> u64 {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .expect("gzip is needed");
    assert!(out.status.success(), "gzip {}", path.display());
    out.stdout.len() as u64
}

/// One workerd serving each Worker on its own port.
fn workerd_config(ports: &[u16; 3]) -> String {
    let mut services = String::new();
    let mut sockets = String::new();
    let mut workers = String::new();
    for ((_, name, ..), port) in WORKERS.iter().zip(ports) {
        services += &format!("    (name = \"{name}\", worker = .{name}),\n");
        sockets += &format!(
            "    (name = \"{name}\", address = \"127.0.0.1:{port}\", http = (), service = \"{name}\"),\n"
        );
        workers += &format!(
            "const {name} :Workerd.Worker = (\n  modules = [\n    \
             (name = \"index.js\", esModule = embed \"{name}/index.js\"),\n    \
             (name = \"index_bg.wasm\", wasm = embed \"{name}/index_bg.wasm\"),\n  ],\n  \
             compatibilityDate = \"2026-11-01\",\n  \
             bindings = [ (name = \"GREETING\", text = \"hello\") ],\n);\n"
        );
    }
    format!(
        "using Workerd = import \"/workerd/workerd.capnp\";\n\
         const config :Workerd.Config = (\n  services = [\n{services}  ],\n  \
         sockets = [\n{sockets}  ],\n);\n{workers}"
    )
}
