//! Building the workspace's examples with cargo, and running a runtime process whose output is
//! captured and searched.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cargo_faasade::project::{self, Artifact};

/// The workspace root (the suite's package sits one folder below it).
pub fn workspace() -> PathBuf {
    let suite = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    suite
        .parent()
        .expect("suite/ inside the workspace")
        .to_path_buf()
}

/// `cargo-faasade`, built from the workspace (once per test process): what the end-to-end
/// tests run as `cargo faasade`.
pub fn cli() -> &'static std::path::Path {
    static CLI: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CLI.get_or_init(|| {
        cargo_build("cargo-faasade", &["--bin", "cargo-faasade"]).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `cargo build -p <package> <extra..>`; the path of the executable it produced.
pub fn cargo_build(package: &str, extra: &[&str]) -> Result<PathBuf, String> {
    cargo_artifact(package, extra)?
        .executable
        .ok_or_else(|| format!("cargo build -p {package} produced no executable"))
}

/// `cargo build -p <package> <extra..>` in the workspace; what cargo built for the package.
fn cargo_artifact(package: &str, extra: &[&str]) -> Result<Artifact, String> {
    let args = [&["-p", package][..], extra].concat();
    project::cargo_artifact(&workspace(), &args, package, None).map_err(|e| format!("{e:#}"))
}

/// The library of example `package` built as a `wasm32-wasip2` component (`--release`,
/// `--lib`) with `features` alone (`--no-default-features`): the `spin` and `wasi` targets.
pub fn cargo_build_component(package: &str, features: &str) -> Result<PathBuf, String> {
    let args = [
        "--release",
        "--target",
        "wasm32-wasip2",
        "--lib",
        "--no-default-features",
        "--features",
        features,
    ];
    let artifact = cargo_artifact(package, &args)?;
    artifact
        .filenames
        .into_iter()
        .find(|f| f.extension().is_some_and(|e| e == "wasm"))
        .ok_or_else(|| {
            format!(
                "cargo build -p {package} {} produced no .wasm",
                args.join(" ")
            )
        })
}

/// The binary of example `package` built for Fastly (`--release`, `wasm32-wasip1`,
/// `--features fastly`, the binary alone: the library's cdylib would write the same `.wasm`).
pub fn cargo_build_fastly(package: &str) -> Result<PathBuf, String> {
    let target = [
        "--release",
        "--target",
        "wasm32-wasip1",
        "--features",
        "fastly",
    ];
    cargo_build(package, &[&target[..], &["--bin", package]].concat())
}

/// The triple the openwhisk target ships: a static binary that runs on every OpenWhisk
/// runtime image (glibc 2.23 actionloop-base, Alpine dockerskeleton).
pub const OPENWHISK_TRIPLE: &str = "x86_64-unknown-linux-musl";

/// The binary of example `package` built for OpenWhisk (`--release`, static musl,
/// `--features openwhisk`): the action's `exec`.
pub fn cargo_build_openwhisk(package: &str) -> Result<PathBuf, String> {
    let args = [
        "--release",
        "--target",
        OPENWHISK_TRIPLE,
        "--features",
        "openwhisk",
        "--bin",
        package,
    ];
    cargo_build(package, &args).map_err(|e| {
        format!("{e} (the musl target needs `rustup target add {OPENWHISK_TRIPLE}` and musl-gcc, Debian's musl-tools: `bash scripts/test.sh` installs both)")
    })
}

/// A child process with its stdout and stderr collected line by line.
pub struct Process {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Process {
    /// Start `command` with its output collected; an error names the program.
    pub fn spawn(mut command: Command) -> Result<Self, String> {
        let program = format!("{:?}", command.get_program());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let output = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().expect("piped"), output.clone());
        collect(child.stderr.take().expect("piped"), output.clone());
        Ok(Self { child, output })
    }

    /// Everything it printed so far, stdout and stderr interleaved by line.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until a line containing `needle` appears; the rest of that line after it.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        let start = Instant::now();
        loop {
            if let Some(rest) = self
                .output()
                .lines()
                .find_map(|l| l.split_once(needle).map(|(_, r)| r.to_owned()))
            {
                return Ok(rest);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "exited with {status} before printing {needle:?}:\n{}",
                    self.output()
                ));
            }
            if start.elapsed() > timeout {
                return Err(format!(
                    "no {needle:?} within {timeout:?}:\n{}",
                    self.output()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait; a process that does not exit, or exits with an error, is reported.
    pub fn terminate(mut self, timeout: Duration) -> Result<(), String> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!(
                        "exited with {status} on SIGTERM:\n{}",
                        self.output()
                    ))
                };
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        Err(format!("did not exit within {timeout:?} of SIGTERM"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut out = into.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    });
}

/// A tool the test command installed: `$<env>` if set, else `<path>` inside its cache
/// (`$FAASADE_CACHE`, `~/.cache/faasade` by default), e.g. `venv/bin/cargo-lambda`.
pub fn cached_tool(env: &str, path: &str) -> PathBuf {
    cargo_faasade::tools::cached(env, path)
}

/// [`cached_tool`], or an error naming `what` is missing and how to get it.
pub fn installed_tool(env: &str, path: &str, what: &str) -> Result<PathBuf, String> {
    let found = cached_tool(env, path);
    if found.exists() {
        Ok(found)
    } else {
        Err(format!(
            "{what} not found at {} (or set {env}): run `bash scripts/test.sh`, which installs it",
            found.display()
        ))
    }
}

/// Wait until `url` answers `200`; `what` names the runtime in the error, with its output.
pub fn wait_for_ok(
    process: &Process,
    url: &str,
    timeout: Duration,
    what: &str,
) -> Result<(), String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    loop {
        if client.get(url).send().is_ok_and(|r| r.status() == 200) {
            return Ok(());
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "{what} did not answer within {} s:\n{}",
                timeout.as_secs(),
                process.output()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A fresh scratch folder under the target directory (kept for inspection after a failure).
pub fn scratch(name: &str) -> Result<PathBuf, String> {
    let dir = workspace().join("target/conformance").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
