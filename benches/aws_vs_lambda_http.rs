//! AWS target vs hand-written `lambda_http`: `examples/hello` built with `--features aws` and a
//! hello world written directly against `lambda_http` (benches/lambda-http-hello),
//! both served by one cargo-lambda Runtime API emulator in the same run, through its Function
//! URL endpoint. Prints the per-request latency ratio and the stripped binary size ratio.
//!
//! `cargo bench -p faasade-benches --bench aws_vs_lambda_http`. Needs cargo-lambda (`FAASADE_CARGO_LAMBDA`, else
//! the test command's cache, else `PATH`). `FAASADE_BENCH_SECS` sets each round's length
//! (default 3), `FAASADE_BENCH_ROUNDS` the rounds per function (default 5). Requests
//! alternate between the functions one by one; each round reports the median request, and
//! the median round counts.
//!
//! Lambda sends one invocation at a time to an execution environment, so the load is one
//! request at a time: the latency is the emulator's round trip plus the function's own work,
//! which is what a client of a deployed function sees minus the network. The functions run
//! pinned to one core, the client and the emulator on the other, where `taskset` exists.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{Proc, env_or, pin_self, pinned};

fn cargo_lambda() -> PathBuf {
    cargo_faasade::tools::find(&cargo_faasade::targets::aws::CARGO_LAMBDA, "aws")
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn main() {
    let _scratch = common::Scratch;
    let pinned_self = pin_self();
    let secs = env_or("FAASADE_BENCH_SECS", 3);
    let rounds = env_or("FAASADE_BENCH_ROUNDS", 5);
    let functions = [
        (
            "faasade --features aws",
            "faasade",
            common::build(
                &["-p", "hello", "--features", "aws"],
                "hello",
                "faasade-aws-hello",
            ),
        ),
        (
            "lambda_http (hand-written)",
            "lambda-http",
            common::build(
                &["-p", "lambda-http-hello"],
                "lambda-http-hello",
                "lambda-http-hello",
            ),
        ),
    ];

    let sizes: Vec<u64> = functions
        .iter()
        .map(|(_, _, exe)| common::stripped_size(exe).expect("strip (binutils) is needed"))
        .collect();

    let port = common::free_port();
    let mut emulator = Command::new(cargo_lambda());
    emulator
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--ignore-changes",
            "--disable-cors",
        ])
        .args(["--invoke-address", "127.0.0.1"])
        .args(["--invoke-port", &port.to_string()])
        .current_dir(emulator_project(
            &functions.each_ref().map(|(_, name, _)| *name),
        ));
    let mut emulator = Proc::spawn(emulator, "emulator");
    emulator.wait_for("emulator start", |log| {
        log.contains("starting Runtime server").then_some(())
    });
    // Each function polls its own queue: `<runtime api>/<name>/2018-06-01/runtime/...`.
    let _functions: Vec<Proc> = functions
        .iter()
        .map(|(_, name, exe)| {
            let mut command = pinned(exe);
            command
                .env(
                    "AWS_LAMBDA_RUNTIME_API",
                    format!("http://127.0.0.1:{port}/.rt/{name}"),
                )
                .env("AWS_LAMBDA_FUNCTION_NAME", name)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
                .env("GREETING", "hello");
            Proc::spawn(command, name)
        })
        .collect();

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = |name: &str| format!("http://127.0.0.1:{port}/lambda-url/{name}/bench");
    for (label, name, _) in &functions {
        let body = client
            .get(url(name))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("{label} does not answer: {e}\n{}", emulator.log()));
        assert_eq!(body, "hello /bench\n", "{label} answered {body:?}");
    }
    // Requests alternate between the two functions one by one, so drift on the machine hits
    // both alike; each round's figure is the median request, and the median round counts.
    let urls = functions.each_ref().map(|(_, name, _)| url(name));
    let labels = functions.each_ref().map(|(label, ..)| *label);
    let medians = common::latency_rounds(&client, labels, &urls, rounds, secs);
    let pinning = if pinned_self {
        "functions pinned to 1 core"
    } else {
        "unpinned"
    };
    println!(
        "\naws target vs hand-written lambda_http (cargo-lambda emulator, one request at a time, \
         {rounds} x {secs}s rounds of alternating requests, {pinning}, medians):"
    );
    for (((label, _, _), micros), size) in functions.iter().zip(&medians).zip(&sizes) {
        println!(
            "  {label:<28} {micros:>8.0} µs/request   {:>6.2} MB stripped",
            *size as f64 / 1e6
        );
    }
    println!(
        "  latency ratio faasade / lambda_http: {:.3}",
        medians[0] / medians[1]
    );
    println!(
        "  size ratio faasade / lambda_http:    {:.3}",
        sizes[0] as f64 / sizes[1] as f64
    );
}

/// The emulator serves only functions that are binaries of the cargo project it starts in: a
/// scratch project whose binaries carry the two functions' names (it never builds them).
fn emulator_project(names: &[&str]) -> PathBuf {
    let dir = common::scratch_file("emulator-project");
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    let mut manifest = String::from(
        "[package]\nname = \"bench-functions\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n",
    );
    for name in names {
        manifest += &format!("\n[[bin]]\nname = \"{name}\"\npath = \"src/bin/{name}.rs\"\n");
        std::fs::write(dir.join(format!("src/bin/{name}.rs")), "fn main() {}\n").unwrap();
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    dir
}
