//! Fastly target vs a hand-written `#[fastly::main]` hello: `examples/hello` built with
//! `--features fastly` and benches/fastly-hello, both for `wasm32-wasip1`, each served by its
//! own Viceroy (Fastly's local Compute runtime, which instantiates the module afresh for every
//! request, as Fastly does) in the same run. Prints the per-request latency ratio and the ratio
//! of the Wasm sizes without custom sections (names, debug info, producers).
//!
//! `cargo bench -p faasade-benches --bench fastly_vs_fastly_crate`. Needs Viceroy (`FAASADE_VICEROY`, else the
//! test command's cache, else `PATH`). `FAASADE_BENCH_SECS` sets each round's length
//! (default 3), `FAASADE_BENCH_ROUNDS` the rounds (default 5). Requests alternate between the
//! two one by one; each round reports the median request, and the median round counts. Viceroy
//! runs pinned to one core, the client on the other, where `taskset` exists.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Proc, env_or, pin_self, pinned};

fn viceroy() -> PathBuf {
    cargo_faasade::tools::find(&cargo_faasade::targets::fastly::VICEROY, "fastly")
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn main() {
    let _scratch = common::Scratch;
    let pinned_self = pin_self();
    let secs = env_or("FAASADE_BENCH_SECS", 3);
    let rounds = env_or("FAASADE_BENCH_ROUNDS", 5);
    let wasm = ["--target", "wasm32-wasip1"];
    let apps = [
        (
            "faasade --features fastly",
            common::build(
                &[
                    &["-p", "hello", "--bin", "hello", "--features", "fastly"],
                    &wasm[..],
                ]
                .concat(),
                "hello.wasm",
                "faasade-fastly-hello.wasm",
            ),
        ),
        (
            "fastly crate (hand-written)",
            common::build(
                &[&["-p", "fastly-hello"], &wasm[..]].concat(),
                "fastly-hello.wasm",
                "fastly-hello.wasm",
            ),
        ),
    ];
    let sizes = apps.each_ref().map(|(_, wasm)| code_size(wasm));

    let dir = common::scratch_file("fastly");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("fastly.toml"),
        "manifest_version = 3\nname = \"bench\"\nlanguage = \"rust\"\n\n\
         [local_server.config_stores.vars]\nformat = \"inline-toml\"\n\
         [local_server.config_stores.vars.contents]\nGREETING = \"hello\"\n",
    )
    .unwrap();
    let ports = [(); 2].map(|()| common::free_port());
    let _servers: Vec<Proc> = apps
        .iter()
        .zip(ports)
        .map(|((label, wasm), port)| {
            let mut command = pinned(&viceroy());
            command
                .args(["serve", "-C", "fastly.toml", "--addr"])
                .arg(format!("127.0.0.1:{port}"))
                .arg(wasm)
                .current_dir(&dir);
            Proc::spawn(command, label)
        })
        .collect();

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let urls = ports.map(|p| format!("http://127.0.0.1:{p}/bench"));
    for ((label, _), url) in apps.iter().zip(&urls) {
        let body = common::retry_get(&client, url, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{label} does not answer: {e}"));
        assert_eq!(body, "hello /bench\n", "{label} answered {body:?}");
    }
    let labels = apps.each_ref().map(|(label, _)| *label);
    let medians = common::latency_rounds(&client, labels, &urls, rounds, secs);
    let pinning = if pinned_self {
        "Viceroy pinned to 1 core"
    } else {
        "unpinned"
    };
    println!(
        "\nfastly target vs hand-written fastly crate (Viceroy, one request at a time, \
         {rounds} x {secs}s rounds of alternating requests, {pinning}, medians):"
    );
    for (((label, _), micros), size) in apps.iter().zip(&medians).zip(&sizes) {
        println!(
            "  {label:<30} {micros:>8.1} µs/request   {:>7.1} KB wasm (no custom sections)",
            *size as f64 / 1e3
        );
    }
    println!(
        "  latency ratio faasade / fastly crate:    {:.3}",
        medians[0] / medians[1]
    );
    println!(
        "  wasm size ratio faasade / fastly crate:  {:.3}",
        sizes[0] as f64 / sizes[1] as f64
    );
}

/// The size of a Wasm module without its custom sections (names, debug info, producers):
/// what `strip` leaves of a native binary.
fn code_size(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"\0asm", "{} is not Wasm", path.display());
    let mut size = 8; // magic and version
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let (len, leb) = leb128(&bytes[at + 1..]);
        let end = at + 1 + leb + len;
        if id != 0 {
            size += end - at;
        }
        at = end;
    }
    size as u64
}

/// An unsigned LEB128 number and how many bytes it took.
fn leb128(bytes: &[u8]) -> (usize, usize) {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().enumerate() {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    panic!("truncated LEB128 number")
}
