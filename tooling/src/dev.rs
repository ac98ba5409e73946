//! `cargo faasade dev [<target>]`: run the app locally. Without a target, the local dev server;
//! with one, the built artifact in that target's own local runtime, so that provider behaviour
//! shows before deploying:
//!
//! Each target says how its runtime starts ([`Tooling::dev`], in `adapters/<target>/tooling`): its
//! provider's local runtime where one runs here (cargo-lambda's emulator, workerd, Viceroy),
//! Faasade's hosts where none does (the Wasm host, the OpenWhisk driver and front).
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

use crate::Tooling;
use crate::build::{self, Options};
use crate::project::Project;
use crate::status;

/// How to serve.
#[derive(Debug, Clone, Copy)]
pub struct DevOptions {
    /// How to build.
    pub build: Options,
    /// The port on 127.0.0.1.
    pub port: u16,
    /// Rebuild and restart when the app's sources change.
    pub watch: bool,
}

/// Serve the app for `target` on 127.0.0.1 until interrupted.
pub fn dev(project: &Project, target: &dyn Tooling, options: DevOptions) -> Result<()> {
    target.dev(project, options)
}

/// Build `target` into `dist/<target>` and serve a copy with `start`, which is given the
/// copied artifact and the folder holding it; again on every change when watching.
pub fn serve_builds(
    project: &Project,
    target: &dyn Tooling,
    options: DevOptions,
    start: impl Fn(&Path, &Path) -> Result<Server>,
) -> Result<()> {
    serve(
        project,
        options.watch,
        || build::build(project, target, options.build),
        |built| {
            let served = project.dir.join(".faasade/dev").join(target.name());
            copy_dir(&built.dist, &served)?;
            let artifact = served.join(
                built
                    .artifact
                    .strip_prefix(&built.dist)
                    .unwrap_or(&built.artifact),
            );
            start(&artifact, &served)
        },
    )
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

/// What serves a build under `dev`: a runtime's process, or a server in this process.
pub enum Server {
    /// A runtime's process.
    Process(Child),
    /// A server running in this process (the OpenWhisk front).
    InProcess(Box<dyn InProcess>),
}

/// A server `dev` runs in its own process.
pub trait InProcess {
    /// Serve until Ctrl-C.
    fn wait(&self);
    /// Stop serving.
    fn stop(self: Box<Self>);
}

impl Server {
    /// Start `command` as the server.
    pub fn spawn(mut command: Command) -> Result<Self> {
        let program = command.get_program().to_string_lossy().into_owned();
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        Ok(Server::Process(child))
    }

    /// Whether it has ended by itself (one in this process only ends when stopped).
    fn exited(&mut self) -> Result<Option<ExitStatus>> {
        match self {
            Server::Process(child) => Ok(child.try_wait()?),
            Server::InProcess(_) => Ok(None),
        }
    }

    /// Serve until it ends, or until Ctrl-C for one in this process.
    fn wait(self) -> Result<()> {
        match self {
            Server::Process(mut child) => {
                let status = child.wait()?;
                if !status.success() {
                    bail!("the dev server failed ({status})");
                }
            }
            Server::InProcess(server) => server.wait(),
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
            Server::InProcess(server) => server.stop(),
        }
    }
}

/// Build with `build` and serve with `start`; with `watch`, build again whenever the app's
/// sources change and, if that succeeds, replace the server with one on the new build.
pub fn serve<B>(
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
