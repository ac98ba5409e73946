//! End to end, as a user types it: `cargo faasade new demo && cd demo && cargo faasade dev`
//! serves the app, and serves an edit of it once rebuilt; `cargo faasade build <target>` makes each target's deployable artifact,
//! each checked with that provider's own tools where they run here (the local binary answers,
//! the Lambda zip holds `bootstrap`, cfn-lint passes the SAM template, `wrangler deploy
//! --dry-run` takes the Worker and its wrangler.toml, Viceroy serves the Fastly package's
//! wasm with its fastly.toml, the Spin component and its spin.toml are served by the Wasm
//! host, the OpenWhisk zip's `exec` answers under the actionloop driver); `cargo faasade dev
//! <target>` then serves each in that target's local runtime (cargo-lambda's emulator,
//! workerd through `wrangler dev`, Viceroy, the Wasm host for Spin and WASI, the OpenWhisk
//! driver behind its front); every template compiles for every target.
//!
//! The apps are built in the workspace's own target folder, with the workspace's Cargo.lock
//! (`cargo faasade new` copies it for a path dependency), so their dependencies are the very
//! builds the conformance suite and the benchmarks made: each is compiled once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cargo_faasade::tools;
use faasade_openwhisk_host::ActionLoop;

use faasade_suite::lambda_zip;
use faasade_suite::process::cli;

fn repo() -> PathBuf {
    faasade_suite::process::workspace()
}

/// The workspace's target folder, which the apps share with every other build of the suite.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from)
}

/// A fresh folder for this test's apps.
fn scratch(name: &str) -> PathBuf {
    let dir = repo().join("target/e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo faasade <args>` in `dir`.
fn faasade(dir: &Path) -> Command {
    let mut command = Command::new(cli());
    command
        .arg("faasade")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir());
    command
}

fn ok(mut command: Command) -> Output {
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo-faasade");
    assert!(out.status.success(), "{command:?} failed");
    out
}

fn new_app(parent: &Path, name: &str, template: &str) -> PathBuf {
    let mut command = faasade(parent);
    command
        .args(["new", name, "--template", template, "--faasade-path"])
        .arg(repo());
    ok(command);
    parent.join(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `url` until it answers 200 (the server is starting), within `timeout`; the body.
fn get_when_up(url: &str, child: &mut Child, timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        if let Ok(res) = reqwest::blocking::get(url)
            && res.status() == 200
        {
            return res.text().unwrap();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited ({status}) before answering {url}");
        }
        assert!(
            started.elapsed() < timeout,
            "{url} did not answer in {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A spawned process group, ended (all of it) when dropped.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command) -> Self {
        use std::os::unix::process::CommandExt as _;
        Self(command.process_group(0).spawn().expect("spawn"))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

#[test]
fn new_then_dev_serves_the_app_locally() {
    let parent = scratch("dev");
    let app = new_app(&parent, "demo", "http");
    let port = free_port();
    let mut command = faasade(&app);
    command.args(["dev", "--port", &port.to_string()]);
    let mut server = Group::spawn(&mut command);
    let body = get_when_up(
        &format!("http://127.0.0.1:{port}/hello/ada"),
        &mut server.0,
        Duration::from_secs(600),
    );
    assert_eq!(body, "hello, ada (from local)\n");

    edits_are_served(&app, &format!("http://127.0.0.1:{port}/hello/ada"), "local");
}

/// An edit of the app's `src/lib.rs` is rebuilt and served by the running `cargo faasade dev`
/// (at `url`, a `/hello/<name>` path) without a restart by hand; an edit that does not compile
/// leaves the last good build serving. The source is put back afterwards.
fn edits_are_served(app: &Path, url: &str, target: &str) {
    let lib = app.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let name = url.rsplit('/').next().unwrap();
    let edited = format!("hello, {name} (edited, from {target})\n");
    std::fs::write(&lib, source.replace("(from {})", "(edited, from {})")).unwrap();
    let started = Instant::now();
    loop {
        let body = reqwest::blocking::get(url).and_then(|r| r.text());
        if body.as_deref().ok() == Some(edited.as_str()) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{target}: the edit was not served: {body:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    std::fs::write(&lib, "this is not Rust").unwrap();
    std::thread::sleep(Duration::from_secs(20));
    let body = reqwest::blocking::get(url).and_then(|r| r.text());
    assert_eq!(body.ok().as_deref(), Some(edited.as_str()), "{target}");
    std::fs::write(&lib, source).unwrap();
}

/// `cargo faasade dev <target> --release` in `app`, once GET `path` answers `200`: the server
/// (stopped when dropped) and that answer. `env` is handed to the CLI. `aws` is served from a
/// debug build: it reuses the dependencies the conformance run's `cargo lambda watch` built,
/// where a release build for this machine would compile them all once more for this test.
fn dev_up(app: &Path, target: &str, path: &str, env: &[(&str, &Path)]) -> (Group, String, String) {
    let port = free_port();
    let mut command = faasade(app);
    command.arg("dev");
    match target {
        "local" => {}
        "aws" => {
            command.arg(target);
        }
        _ => {
            command.args([target, "--release"]);
        }
    }
    command
        .args(["--port", &port.to_string()])
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    let mut served = Group::spawn(&mut command);
    let base = format!("http://127.0.0.1:{port}");
    let body = get_when_up(
        &format!("{base}{path}"),
        &mut served.0,
        Duration::from_secs(900),
    );
    (served, base, body)
}

/// `cargo faasade dev <target>` in `app` ([`dev_up`]) answers GET `path` with `expected`.
fn dev_answers(app: &Path, target: &str, path: &str, expected: &str, env: &[(&str, &Path)]) {
    let (_served, _, body) = dev_up(app, target, path, env);
    assert_eq!(body, expected, "cargo faasade dev {target}");
}

/// `cargo faasade dev <target>` rebuilds on change too, and restarts the target's runtime on
/// the new build: wrangler dev (stopped with `SIGTERM`, so that its workerd frees the port)
/// and the OpenWhisk action behind its front (whose `exec` is replaced while it runs).
#[test]
fn dev_targets_serve_each_edit() {
    let parent = scratch("watch");
    let app = new_app(&parent, "watch", "http");
    for target in ["cloudflare", "openwhisk"] {
        let (_served, base, body) = dev_up(&app, target, "/hello/ed", &[]);
        assert_eq!(body, format!("hello, ed (from {target})\n"));
        edits_are_served(&app, &format!("{base}/hello/ed"), target);
    }
}

/// Faasade's Wasm host, built `--release` from this checkout as the conformance suite builds it
/// (what `cargo install --path hosts/wasm-host` installs).
fn wasm_host() -> PathBuf {
    let args = [
        "--release",
        "-p",
        "faasade-wasm-host",
        "--bin",
        "faasade-wasm-host",
    ];
    cargo_faasade::project::cargo_artifact(&repo(), &args, "faasade-wasm-host", Some("bin"))
        .expect("cargo build -p faasade-wasm-host")
        .executable
        .expect("the faasade-wasm-host executable")
}

fn cfn_lint(template: &Path) {
    let status = Command::new(tools::venv_tool("cfn-lint"))
        .arg(template)
        .status()
        .expect("cfn-lint");
    assert!(status.success(), "cfn-lint {}", template.display());
}

fn zip_names(zip: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    archive
        .file_names()
        .map(|n| n.expect("an entry name").into_owned())
        .collect()
}

/// A secret's value that must never appear in an artifact or a log.
const SECRET: &str = "e2e-secret-value-3c9f1a";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Each target built, its artifact checked, then served by `cargo faasade dev <target>` in that
/// target's local runtime.
#[test]
fn build_makes_every_targets_artifact_and_dev_serves_it() {
    let parent = scratch("build");
    let app = new_app(&parent, "shop", "http");
    // An upstream and a secret, so that every manifest carries them; a greeting that is not
    // the app's default, so that every target shows it got faasade.toml's vars.
    std::fs::write(
        app.join("faasade.toml"),
        format!("name = \"shop\"\n\n[vars]\nGREETING = \"howdy\"\n\n[secrets]\nAPI_TOKEN = \"{SECRET}\"\n\n[upstreams]\napi = \"https://api.example.com\"\n"),
    )
    .unwrap();
    let mut logs = Vec::new();
    let mut build = |target: &str, release: bool| {
        let mut command = faasade(&app);
        command.args(["build", target]);
        if release {
            command.arg("--release");
        }
        let out = ok(command);
        logs.push(out.stdout);
        app.join("dist").join(target)
    };

    // local: the binary serves.
    let dist = build("local", false);
    let port = free_port();
    let mut server = Group::spawn(Command::new(dist.join("shop")).env("PORT", port.to_string()));
    let body = get_when_up(
        &format!("http://127.0.0.1:{port}/hello/bo"),
        &mut server.0,
        Duration::from_secs(30),
    );
    assert_eq!(body, "howdy, bo (from local)\n");
    drop(server);

    // aws: an arm64 (the default) bootstrap.zip and a template cfn-lint passes.
    let dist = build("aws", true);
    lambda_zip::assert_bootstrap(&dist.join("bootstrap.zip"), lambda_zip::ARM64);
    cfn_lint(&dist.join("template.yaml"));
    // cargo-lambda's Runtime API emulator, through its Function URL endpoint.
    dev_answers(
        &app,
        "aws",
        "/lambda-url/shop/hello/al",
        "howdy, al (from aws)\n",
        &[],
    );

    // cloudflare: the Worker and its wrangler.toml, as wrangler takes them.
    let dist = build("cloudflare", true);
    assert!(dist.join("build/worker/shim.mjs").is_file());
    let wrangler =
        tools::find(&cargo_faasade::targets::cloudflare::WRANGLER, "cloudflare").unwrap();
    let out = Command::new(&wrangler)
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(dist.join("dry-run"))
        .current_dir(&dist)
        .env("PATH", tools::path_with(&[wrangler.parent().unwrap()]))
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wrangler deploy --dry-run:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dev_answers(
        &app,
        "cloudflare",
        "/hello/cl",
        "howdy, cl (from cloudflare)\n",
        &[],
    );

    // fastly: bin/main.wasm, fastly.toml and the package, served by Viceroy with that file.
    let dist = build("fastly", true);
    let pkg = dist.join("pkg/shop.tar.gz");
    let mut names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&pkg).unwrap(),
    ))
    .entries()
    .unwrap()
    .map(|e| e.unwrap().path().unwrap().display().to_string())
    .collect();
    names.sort();
    assert_eq!(names, ["shop/bin/main.wasm", "shop/fastly.toml"]);
    let viceroy = tools::find(&cargo_faasade::targets::fastly::VICEROY, "fastly").unwrap();
    let port = free_port();
    let mut served = Group::spawn(
        Command::new(viceroy)
            .arg("-C")
            .arg(dist.join("fastly.toml"))
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg(dist.join("bin/main.wasm"))
            .stdout(Stdio::null()),
    );
    let body = get_when_up(
        &format!("http://127.0.0.1:{port}/hello/cy"),
        &mut served.0,
        Duration::from_secs(60),
    );
    assert_eq!(body, "howdy, cy (from fastly)\n");
    drop(served);
    dev_answers(
        &app,
        "fastly",
        "/hello/fa",
        "howdy, fa (from fastly)\n",
        &[],
    );

    // spin and wasi: components; spin.toml beside the spin one.
    let dist = build("spin", true);
    assert!(dist.join("shop.wasm").is_file());
    let spin: toml::Table = std::fs::read_to_string(dist.join("spin.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        spin["component"]["shop"]["allowed_outbound_hosts"][0].as_str(),
        Some("https://api.example.com")
    );
    let host = wasm_host();
    let with_host = [("FAASADE_WASM_HOST", host.as_path())];
    // Spin's variables from faasade.toml, on the Wasm host.
    dev_answers(
        &app,
        "spin",
        "/hello/sp",
        "howdy, sp (from spin)\n",
        &with_host,
    );
    let dist = build("wasi", true);
    assert!(dist.join("shop.wasm").is_file());
    // The environment, on the Wasm host.
    dev_answers(
        &app,
        "wasi",
        "/hello/wa",
        "howdy, wa (from wasi)\n",
        &with_host,
    );

    // openwhisk: action.zip's exec answers a raw web activation.
    let dist = build("openwhisk", true);
    assert_eq!(zip_names(&dist.join("action.zip")), ["exec"]);
    let exec = faasade_openwhisk_host::exec_from_zip(&dist.join("action.zip"), &dist).unwrap();
    let mut action = ActionLoop::start(&exec, &[], true).unwrap();
    let result = action
        .run(serde_json::json!({
            "__ow_method": "get", "__ow_headers": {}, "__ow_path": "/hello/di",
            "__ow_query": "", "__ow_body": "", "GREETING": "hi",
        }))
        .unwrap();
    assert_eq!(result["body"], "hi, di (from openwhisk)\n");
    drop(action);
    // The driver behind a controller-like front, faasade.toml's vars as default parameters.
    dev_answers(
        &app,
        "openwhisk",
        "/hello/ow",
        "howdy, ow (from openwhisk)\n",
        &[],
    );

    // No artifact and no build output holds the secret's value. `.dev.vars` is wrangler's file for
    // local values, which `wrangler deploy` never uploads.
    for (path, bytes) in tree(&app.join("dist")) {
        if path.file_name().is_some_and(|n| n == ".dev.vars") {
            continue;
        }
        assert!(
            !contains(&bytes, SECRET.as_bytes()),
            "{} holds the secret's value",
            path.display()
        );
    }
    for log in &logs {
        assert!(
            !contains(log, SECRET.as_bytes()),
            "a build's output holds the secret's value"
        );
    }
}
/// `cargo check` of `app` for every target.
/// `cargo check` of `app` for every target of the registry, each for the platform it builds for.
fn check_everywhere(app: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or("cargo".into());
    let check = |args: &[&str]| {
        let status = Command::new(&cargo)
            .arg("check")
            .args(args)
            .current_dir(app)
            .env("CARGO_TARGET_DIR", target_dir())
            .status()
            .unwrap();
        assert!(status.success(), "{}: cargo check {args:?}", app.display());
    };
    for target in faasade::targets::TARGETS {
        match (target.feature, target.platform) {
            (None, _) => check(&[]),
            (Some(feature), faasade::targets::Platform::Native) => check(&["--features", feature]),
            (Some(feature), _) => check(&["--features", feature, "--target", target.rust_target]),
        }
    }
}

#[test]
fn every_template_compiles_for_every_target() {
    let parent = scratch("templates");
    for template in ["http", "json-event", "axum", "kv"] {
        let app = new_app(&parent, &format!("t-{template}"), template);
        check_everywhere(&app);
    }
}

#[test]
fn help_and_mistakes_are_clear() {
    for sub in ["new", "build", "dev", "package", "doctor", "completions"] {
        let out = Command::new(cli())
            .args(["faasade", sub, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sub} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: cargo faasade"));
    }
    // `build --help` lists every target with its provider; shell completion offers them.
    let help = Command::new(cli())
        .args(["faasade", "build", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for t in faasade::targets::TARGETS {
        assert!(
            help.contains(&format!("- {}:", t.name)) && help.contains(t.provider),
            "{help}"
        );
    }
    let completion = Command::new(cli())
        .args(["faasade", "completions", "bash"])
        .output()
        .unwrap();
    assert!(completion.status.success());
    let completion = String::from_utf8_lossy(&completion.stdout);
    let offered = faasade::targets::TARGETS
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(completion.contains(&offered), "{completion}");
    let parent = scratch("mistakes");
    let app = new_app(&parent, "oops", "kv");
    let run = |args: &[&str]| {
        let out = faasade(&app).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} must fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // The targets come from the registry: every one is offered, in its order.
    let every_target = format!(
        "[possible values: {}]",
        faasade::targets::TARGETS
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let err = run(&["build", "gcp"]);
    assert!(
        err.contains("invalid value 'gcp'") && err.contains(&every_target),
        "{err}"
    );
    // The kv template declares a store, which Lambda does not offer: refused before building.
    assert!(run(&["package", "aws"]).contains("the `aws` target does not support `kv`"));
    let err = run(&["package", "local"]);
    assert!(err.contains("no provider manifest"), "{err}");
    let out = faasade(&parent).args(["new", "Bad Name"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot name an app"));
}

/// Every file of `dir`, by its path inside it.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let inside = path.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(inside, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// cargo-generate itself (from crates.io, as the test command installs it) fills each template
/// from `templates/` (its cargo-generate.toml picks the sub-template) into exactly the files
/// `cargo faasade new` writes for a crates.io dependency — which compile for every target, as
/// `every_template_compiles_for_every_target` shows with the dependency on this checkout.
#[test]
fn cargo_generate_fills_the_templates_as_new_does() {
    let generate = tools::cached("FAASADE_CARGO_GENERATE", "cargo/bin/cargo-generate");
    assert!(
        generate.is_file(),
        "{} missing: `cargo install cargo-generate --version 0.23.14 --locked` (bash scripts/test.sh installs it)",
        generate.display()
    );
    let parent = scratch("cargo-generate");
    let (by_new, by_generate) = (parent.join("new"), parent.join("generate"));
    std::fs::create_dir_all(&by_new).unwrap();
    std::fs::create_dir_all(&by_generate).unwrap();
    for (template, _, _) in cargo_faasade::new::TEMPLATES {
        let name = format!("my-{template}-app");
        let made = cargo_faasade::new::new(
            &by_new,
            &name,
            template,
            &cargo_faasade::new::Source::Registry,
        )
        .unwrap();
        let out = Command::new(&generate)
            .args(["generate", "--path"])
            .arg(repo().join("templates"))
            .arg(format!("apps/{template}"))
            .args(["--name", &name, "--vcs", "none", "--silent"])
            .current_dir(&by_generate)
            .env("CARGO_HOME", parent.join("cargo-home"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo generate {template}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let (expected, generated) = (tree(&made), tree(&by_generate.join(&name)));
        assert_eq!(
            expected.keys().collect::<Vec<_>>(),
            generated.keys().collect::<Vec<_>>(),
            "{template}: the same files"
        );
        for (path, text) in &expected {
            assert!(
                generated[path] == *text,
                "{template}/{}: cargo generate wrote\n{}\n`cargo faasade new` wrote\n{}",
                path.display(),
                String::from_utf8_lossy(&generated[path]),
                String::from_utf8_lossy(text)
            );
        }
    }
}

#[test]
fn doctor_names_what_is_missing_and_how_to_get_it() {
    let doctor = |viceroy: &Path, host: &Path| {
        Command::new(cli())
            .args(["faasade", "doctor", "fastly", "spin"])
            .env("FAASADE_VICEROY", viceroy)
            .env("FAASADE_WASM_HOST", host)
            .output()
            .unwrap()
    };
    let nowhere = Path::new("/nonexistent/tool");
    let out = doctor(nowhere, nowhere);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("fastly: not ready"), "{report}");
    assert!(
        report.contains("missing  viceroy: cargo install viceroy --version 0.22.0 --locked"),
        "{report}"
    );
    let install_host = format!(
        "missing  faasade-wasm-host: cargo install --locked --path {}",
        repo().join("hosts/wasm-host").display()
    );
    assert!(report.contains(&install_host), "{report}");

    let present = cli();
    let out = doctor(present, present);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("fastly: ready"), "{report}");
    assert!(
        report.contains(&format!("ok       viceroy: {}", present.display())),
        "{report}"
    );
    assert!(report.contains("ok       Rust target wasm32-wasip2: installed"));

    let out = Command::new(cli())
        .args(["faasade", "doctor", "gcp"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'gcp'"));
}

fn post(url: &str) -> String {
    let res = reqwest::blocking::Client::new().post(url).send().unwrap();
    assert_eq!(res.status(), 200, "POST {url}");
    res.text().unwrap()
}

/// KV data written under `cargo faasade dev` outlives the server, as it does deployed: workerd's
/// local KV is kept in the app's `.faasade/` (not in `dist/`, which every build empties), and
/// the Wasm host's Spin key-value stores are the local target's own database.
#[test]
fn dev_keeps_kv_data_across_restarts() {
    let parent = scratch("kv");
    let app = new_app(&parent, "tally", "kv");

    let (served, base, _) = dev_up(&app, "cloudflare", "/count/a", &[]);
    assert_eq!(post(&format!("{base}/count/a")), "1\n");
    assert_eq!(post(&format!("{base}/count/a")), "2\n");
    drop(served);
    let (served, _, body) = dev_up(&app, "cloudflare", "/count/a", &[]);
    assert_eq!(body, "2\n", "Workers KV after wrangler dev restarted");
    drop(served);

    let (served, base, body) = dev_up(&app, "local", "/count/b", &[]);
    assert_eq!(body, "0\n");
    assert_eq!(post(&format!("{base}/count/b")), "1\n");
    drop(served);
    let host = wasm_host();
    let with_host = [("FAASADE_WASM_HOST", host.as_path())];
    let (served, base, body) = dev_up(&app, "spin", "/count/b", &with_host);
    assert_eq!(
        body, "1\n",
        "the local target's count, read by the Spin component"
    );
    assert_eq!(post(&format!("{base}/count/b")), "2\n");
    drop(served);
    let (_served, _, body) = dev_up(&app, "spin", "/count/b", &with_host);
    assert_eq!(body, "2\n", "Spin key-value after the host restarted");
}
