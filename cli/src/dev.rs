//! `cargo faasade dev [<target>]`: run the app locally. Without a target, the local dev server,
//! rebuilt and restarted whenever `src/`, `Cargo.toml`, `build.rs` or faasade.toml change (a
//! build that fails leaves the last good server running). With one, the built artifact in that target's own local runtime, so that
//! provider behaviour shows before deploying:
//!
//! | target | runtime |
//! |---|---|
//! | aws | cargo-lambda's Runtime API emulator (`cargo lambda watch`), Function URL at `/lambda-url/<app>/` |
//! | cloudflare | workerd, through `wrangler dev` (local KV kept in `.faasade/wrangler`) |
//! | fastly | Viceroy, with the generated fastly.toml's stores and backends |
//! | spin, wasi | Faasade's Wasm host (Spin's variables and key-value on the local KV store) |
//! | openwhisk | the static binary run as OpenWhisk's actionloop proxy runs it, behind an HTTP front that maps requests to raw web-action activations as the controller does |

use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::build::{self, Options};
use crate::manifest;
use crate::openwhisk::WebFront;
use crate::project::{Project, check_target, run};
use crate::{status, tools};

/// Serve the app for `target` on 127.0.0.1 until interrupted.
/// `watch`: rebuild and restart the local dev server when the app's sources change (the `aws`
/// target's `cargo lambda watch` does so by itself; the others serve the build they started
/// with).
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
        "cloudflare" => {
            let built = build::build(project, target, options)?;
            let wrangler = tools::find(&tools::WRANGLER, target)?;
            let node_bin = wrangler
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default();
            let mut command = Command::new(&wrangler);
            // Local Workers KV lives with the app's other local data, not in dist/, which
            // every build empties.
            command
                .args(["dev", "--ip", "127.0.0.1", "--port"])
                .arg(port.to_string())
                .arg("--persist-to")
                .arg(project.dir.join(".faasade/wrangler"))
                .current_dir(&built.dist)
                .env("PATH", tools::path_with(&[&node_bin]))
                .env("WRANGLER_SEND_METRICS", "false");
            run(&mut command, "wrangler dev")
        }
        "fastly" => {
            let built = build::build(project, target, options)?;
            let viceroy = tools::find(&tools::VICEROY, target)?;
            let mut command = Command::new(&viceroy);
            command
                .arg("-C")
                .arg(built.dist.join("fastly.toml"))
                .args(["--addr", &addr])
                .arg(&built.artifact);
            status::line("Serving", &format!("http://{addr}/"));
            run(&mut command, "viceroy")
        }
        "spin" | "wasi" => {
            let built = build::build(project, target, options)?;
            let host = tools::find(&tools::WASM_HOST, target)?;
            let mut command = Command::new(&host);
            command
                .arg("serve")
                .arg(&built.artifact)
                .arg("--app")
                .arg(&project.dir)
                .args(["--addr", &addr]);
            for upstream in app.config.upstreams.values() {
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
            run(&mut command, "faasade-wasm-host")
        }
        "openwhisk" => {
            let built = build::build(project, target, options)?;
            let exec = unzip_exec(&built.artifact, &built.dist)?;
            let front = WebFront::serve_app(&exec, app, &addr, true).map_err(anyhow::Error::msg)?;
            status::line(
                "Serving",
                &format!("{} (a raw web action; Ctrl-C stops)", front.url),
            );
            front.wait();
            Ok(())
        }
        _ => unreachable!("checked above"),
    }
}

/// The `exec` of an action zip, unpacked into `dir` (executable), as the proxy unpacks it.
pub fn unzip_exec(zip: &std::path::Path, dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip)?)?;
    let mut entry = archive
        .by_name("exec")
        .context("the action zip holds no exec")?;
    let path = dir.join("exec");
    let mut out = std::fs::File::create(&path)?;
    std::io::copy(&mut entry, &mut out)?;
    drop(out);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}

/// The local dev server: the app's binary built, run with `PORT`, and (with `watch`) rebuilt
/// and restarted on every change to its sources.
fn local(project: &Project, options: Options, port: u16, watch: bool) -> Result<()> {
    let build = || project.build_bin(options.release);
    let start = |exe: &Path| -> Result<Child> {
        status::line("Serving", &format!("http://127.0.0.1:{port}/"));
        Command::new(exe)
            .current_dir(&project.dir)
            .env("PORT", port.to_string())
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))
    };
    let mut server = start(&build()?)?;
    if !watch {
        let status = server.wait()?;
        if !status.success() {
            bail!("the local dev server failed ({status})");
        }
        return Ok(());
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
                if running && let Some(status) = server.try_wait()? {
                    running = false;
                    status::note(&format!(
                        "the local dev server exited ({status}); waiting for a change to restart it"
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
            Ok(exe) => {
                let _ = server.kill();
                let _ = server.wait();
                server = start(&exe)?;
                running = true;
            }
            Err(e) if running => status::note(&format!("{e:#}; still serving the last good build")),
            Err(e) => status::note(&format!("{e:#}; waiting for a change")),
        }
    }
}
