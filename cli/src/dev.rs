//! `cargo faasade dev [<target>]`: run the app locally. Without a target, the local dev server;
//! with one, the built artifact in that target's own local runtime, so that provider behaviour
//! shows before deploying:
//!
//! | target | runtime |
//! |---|---|
//! | aws | cargo-lambda's Runtime API emulator (`cargo lambda watch`), Function URL at `/lambda-url/<app>/` |
//! | cloudflare | workerd, through `wrangler dev` (local KV kept in `.faasade/wrangler`) |
//! | fastly | Viceroy, with the generated fastly.toml's stores and backends |
//! | spin, wasi | Faasade's Wasm host (Spin's variables and key-value on the local KV store) |
//! | openwhisk | the static binary run as OpenWhisk's actionloop proxy runs it, behind an HTTP front that maps requests to raw web-action activations as the controller does |
//!
//! Whenever `src/`, `Cargo.toml`, `build.rs` or faasade.toml change, the app is rebuilt and the
//! runtime restarted on the new build; a build that fails leaves the last good one serving.
//! Runtimes serve a copy of the build (`.faasade/dev/<target>`), which a rebuild in progress
//! (it empties `dist/<target>` first) cannot pull from under them. `cargo lambda watch` does
//! the same for `aws` by itself.

use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use faasade_openwhisk_host::{WebFront, exec_from_zip};

use crate::build::{self, Built, Options};
use crate::manifest;
use crate::project::{Project, check_target, run};
use crate::{status, tools};

/// Serve the app for `target` on 127.0.0.1 until interrupted.
/// `watch`: rebuild and restart when the app's sources change (the `aws` target's `cargo
/// lambda watch` does so by itself).
pub fn dev(
    project: &Project,
    target: &str,
    options: Options,
    port: u16,
    watch: bool,
) -> Result<()> {
    check_target(target)?;
    let app = &project.app;
    let addr = format!("127.0.0.1:{port}");
    match target {
        "local" => local(project, options, port, watch),
        "aws" => {
            let mut command = tools::cargo_lambda()?;
            command
                .args(["lambda", "watch", "--features", "aws"])
                .args(options.release.then_some("--release"))
                .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
                .arg(port.to_string())
                .current_dir(&project.dir);
            for (k, v) in manifest::environment(app) {
                command.arg("--env-var").arg(format!("{k}={v}"));
            }
            status::line(
                "Serving",
                &format!("http://{addr}/lambda-url/{}/", app.package),
            );
            run(&mut command, "cargo lambda watch")
        }
        _ => serve(
            project,
            watch,
            || build::build(project, target, options),
            |built| start_target(project, target, built, port),
        ),
    }
}

/// The local dev server: the app's binary, run with `PORT`.
fn local(project: &Project, options: Options, port: u16, watch: bool) -> Result<()> {
    serve(
        project,
        watch,
        || project.build_bin(options.release),
        |exe| {
            status::line("Serving", &format!("http://127.0.0.1:{port}/"));
            let child = Command::new(exe)
                .current_dir(&project.dir)
                .env("PORT", port.to_string())
                .spawn()
                .with_context(|| format!("cannot start {}", exe.display()))?;
            Ok(Server::Process(child))
        },
    )
}

/// `target`'s runtime serving a copy of `built`, on 127.0.0.1:`port`.
fn start_target(project: &Project, target: &str, built: &Built, port: u16) -> Result<Server> {
    let app = &project.app;
    let addr = &format!("127.0.0.1:{port}");
    let served = project.dir.join(".faasade/dev").join(target);
    copy_dir(&built.dist, &served)?;
    let artifact = served.join(
        built
            .artifact
            .strip_prefix(&built.dist)
            .unwrap_or(&built.artifact),
    );
    let mut command = match target {
        "cloudflare" => {
            let wrangler = tools::find(&tools::WRANGLER, target)?;
            let node_bin = wrangler
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default();
            let mut command = Command::new(&wrangler);
            // Local Workers KV lives with the app's other local data, not beside the build.
            command
                .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
                .arg("--persist-to")
                .arg(project.dir.join(".faasade/wrangler"))
                .current_dir(&served)
                .env("PATH", tools::path_with(&[&node_bin]))
                .env("WRANGLER_SEND_METRICS", "false");
            command
        }
        "fastly" => {
            let mut command = Command::new(tools::find(&tools::VICEROY, target)?);
            command
                .arg("-C")
                .arg(served.join("fastly.toml"))
                .args(["--addr", addr])
                .arg(&artifact);
            status::line("Serving", &format!("http://{addr}/"));
            command
        }
        "spin" | "wasi" => {
            let mut command = Command::new(tools::find(&tools::WASM_HOST, target)?);
            command
                .arg("serve")
                .arg(&artifact)
                .arg("--app")
                .arg(&project.dir)
                .args(["--addr", addr]);
            for upstream in app.config.file.upstreams.values() {
                command.arg("--allow-outbound").arg(format!(
                    "{}:{}",
                    upstream.host,
                    upstream.effective_port()
                ));
            }
            if target == "wasi" {
                for (k, v) in manifest::environment(app) {
                    command.arg("--env").arg(format!("{k}={v}"));
                }
            }
            command
        }
        "openwhisk" => {
            let exec = exec_from_zip(&artifact, &served).map_err(anyhow::Error::msg)?;
            let front = WebFront::serve_app(
                &exec,
                &app.config.file.secrets,
                &app.config.file.vars,
                addr,
                true,
            )
            .map_err(anyhow::Error::msg)?;
            status::line(
                "Serving",
                &format!("{} (a raw web action; Ctrl-C stops)", front.url),
            );
            return Ok(Server::Front(front));
        }
        _ => unreachable!("aws and local are served by their own loops"),
    };
    let program = command.get_program().to_string_lossy().into_owned();
    let child = command
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    Ok(Server::Process(child))
}

/// `dir` copied to `to`, which is emptied first.
fn copy_dir(dir: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("cannot empty {}", to.display()))?;
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// What serves a build under `dev`: a runtime's process, or (openwhisk) the action behind
/// Faasade's controller-like front.
enum Server {
    Process(Child),
    Front(WebFront),
}

impl Server {
    /// Whether it has ended by itself (the front only ends when stopped).
    fn exited(&mut self) -> Result<Option<ExitStatus>> {
        match self {
            Server::Process(child) => Ok(child.try_wait()?),
            Server::Front(_) => Ok(None),
        }
    }

    /// Serve until it ends, or until Ctrl-C for the front.
    fn wait(self) -> Result<()> {
        match self {
            Server::Process(mut child) => {
                let status = child.wait()?;
                if !status.success() {
                    bail!("the dev server failed ({status})");
                }
            }
            Server::Front(front) => front.wait(),
        }
        Ok(())
    }

    /// End it: `SIGTERM`, which lets wrangler stop its workerd, then `SIGKILL` after 10 s.
    fn stop(self) {
        match self {
            Server::Process(mut child) => {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                let asked = Instant::now();
                while asked.elapsed() < Duration::from_secs(10) {
                    if let Ok(Some(_)) = child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let _ = child.kill();
                let _ = child.wait();
            }
            Server::Front(front) => {
                let _ = front.stop();
            }
        }
    }
}

/// Build with `build` and serve with `start`; with `watch`, build again whenever the app's
/// sources change and, if that succeeds, replace the server with one on the new build.
fn serve<B>(
    project: &Project,
    watch: bool,
    build: impl Fn() -> Result<B>,
    start: impl Fn(&B) -> Result<Server>,
) -> Result<()> {
    let mut server = start(&build()?)?;
    if !watch {
        return server.wait();
    }

    let (tx, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            let _ = tx.send(event.paths);
        }
    })
    .context("cannot watch the app's files")?;
    for (path, mode) in [
        ("src", notify::RecursiveMode::Recursive),
        ("Cargo.toml", notify::RecursiveMode::NonRecursive),
        ("build.rs", notify::RecursiveMode::NonRecursive),
        (crate::config::FILE, notify::RecursiveMode::NonRecursive),
    ] {
        let path = project.dir.join(path);
        if path.exists() {
            notify::Watcher::watch(&mut watcher, &path, mode)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    let mut running = true;
    loop {
        let changed = match changes.recv_timeout(Duration::from_millis(500)) {
            Ok(paths) => paths,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if running && let Some(status) = server.exited()? {
                    running = false;
                    status::note(&format!(
                        "the dev server exited ({status}); waiting for a change to restart it"
                    ));
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
        };
        // An editor's save is several events: take them all before rebuilding.
        while changes.recv_timeout(Duration::from_millis(200)).is_ok() {}
        let what = changed
            .first()
            .map(|p| {
                p.strip_prefix(&project.dir)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .unwrap_or_default();
        status::line("Rebuilding", &format!("{what} changed"));
        match build() {
            Ok(built) => {
                server.stop();
                server = start(&built)?;
                running = true;
            }
            Err(e) if running => status::note(&format!("{e:#}; still serving the last good build")),
            Err(e) => status::note(&format!("{e:#}; waiting for a change")),
        }
    }
}
