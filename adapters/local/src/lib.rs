//! Faasade's local target, the default when no provider feature is enabled: an HTTP server on
//! 127.0.0.1 that runs the app's handler the way the providers do, with persistent KV (redb),
//! vars and secrets (environment, then `faasade.toml`), outbound fetch (reqwest), a request
//! body limit (413), a timeout (504), one log line per request and graceful shutdown.
//!
//! Apps reach it through `#[faasade::main]`; tests and tools can start it in-process:
//!
//! ```no_run
//! use faasade_core::{Context, Request, Result, handler};
//! use faasade_local::{Config, start};
//!
//! async fn hello(_req: Request, _cx: Context) -> Result<&'static str> {
//!     Ok("hello")
//! }
//!
//! let mut config = Config::default();
//! config.port = 0; // any free port
//! let server = start(config, || handler::from_fn(hello)).unwrap();
//! println!("serving on {}", server.url());
//! server.shutdown();
//! ```

mod config;
pub mod connections;
#[cfg(feature = "kv")]
mod kv;
mod log;
mod platform;
mod server;

use std::path::Path;
use std::process::ExitCode;

use faasade_core::Handler;

pub use config::{CONFIG_FILE, Config, ConfigError};
#[cfg(feature = "kv")]
pub use kv::{LocalDb, LocalStore};
pub use platform::TARGET;
pub use server::{Running, start};

/// Answer `req` with `handler` in-process, exactly as the local server would (a handler error or
/// panic becomes its generic response) but with no socket: for an app's own tests. `config`
/// supplies vars, secrets and the KV data folder; use a fresh `data_dir` per test.
///
/// ```
/// use faasade_core::{Body, Context, Request, Result, handler};
/// use faasade_local::{Config, call};
///
/// async fn hello(req: Request, _cx: Context) -> Result<String> {
///     Ok(format!("hello {}", req.uri().path()))
/// }
///
/// let req = Request::new(Body::empty());
/// let res = call(&Config::default(), &handler::from_fn(hello), req);
/// assert_eq!(res.body().as_bytes(), b"hello /");
/// ```
pub fn call<H: Handler>(
    config: &Config,
    handler: &H,
    req: faasade_core::Request,
) -> faasade_core::Response {
    server::call(config, handler, req)
}

const USAGE: &str = "\
Serves this Faasade app on the local target.

Usage: <app> [--port <PORT>] [--host <ADDR>] [--config <faasade.toml>] [--check]

Options:
  -p, --port <PORT>    Port to listen on (env PORT; default 3000; 0 picks a free one)
      --host <ADDR>    Address to listen on (env FAASADE_HOST; default 127.0.0.1)
  -c, --config <FILE>  Settings file (default: ./faasade.toml, else the app's own)
      --check          Load the settings, print them and exit
  -h, --help           Print this help

Environment: FAASADE_WORKERS, FAASADE_BODY_LIMIT, FAASADE_TIMEOUT_SECS, FAASADE_DATA_DIR,
RUST_LOG (default info). Vars and secrets: the environment wins over faasade.toml.
";

/// The entry point `#[faasade::main]` calls on the local target: read settings (flags,
/// environment, `faasade.toml` in the current folder or else in `app_dir`), serve until Ctrl-C
/// or SIGTERM, then shut down gracefully.
pub fn run<F, H>(app_dir: Option<&str>, factory: F) -> ExitCode
where
    F: Fn() -> H + Send + Sync + 'static,
    H: Handler,
{
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match options.config(app_dir.map(Path::new)) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if options.check || std::env::var_os("FAASADE_CHECK").is_some() {
        println!("{config:#?}");
        return ExitCode::SUCCESS;
    }
    let server = match start(config, factory) {
        Ok(server) => server,
        Err(e) => {
            tracing::error!("cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(target: "faasade", "listening on {} (Ctrl-C to stop)", server.url());
    wait_for_signal();
    tracing::info!(target: "faasade", "shutting down");
    server.shutdown();
    ExitCode::SUCCESS
}

#[derive(Default)]
struct Options {
    port: Option<String>,
    host: Option<String>,
    config: Option<String>,
    check: bool,
}

impl Options {
    /// `Ok(None)` means help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or(format!("{flag} needs a value"))
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "-p" | "--port" => options.port = Some(value()?),
                "--host" => options.host = Some(value()?),
                "-c" | "--config" => options.config = Some(value()?),
                "--check" => options.check = true,
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        Ok(Some(options))
    }

    fn config(&self, app_dir: Option<&Path>) -> Result<Config, ConfigError> {
        let explicit = self
            .config
            .clone()
            .or_else(|| std::env::var("FAASADE_CONFIG").ok());
        let mut config = match explicit {
            Some(path) => Config::from_file(Path::new(&path))?,
            None => Config::discover(app_dir)?,
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        let flags = |name: &str| match name {
            "PORT" => self.port.clone(),
            "FAASADE_HOST" => self.host.clone(),
            _ => None,
        };
        config.apply_env(flags)?;
        Ok(config)
    }
}

/// Logging to stderr, and one log line per panic (with its location) instead of the default
/// hook's multi-line dump; the handler's own error line, with the request id, follows it.
fn init_logging() {
    log::init();
    std::panic::set_hook(Box::new(|info| {
        let message = faasade_core::handler::panic_message(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(target: "faasade::panic", location, "panic: {message}");
    }));
}

fn wait_for_signal() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(rt) = rt else {
        return std::thread::park();
    };
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_parse_and_override() {
        let o = Options::parse(&args(&["--port", "8080", "--host=0.0.0.0", "--check"]))
            .unwrap()
            .unwrap();
        assert_eq!(
            (o.port.as_deref(), o.host.as_deref(), o.check),
            (Some("8080"), Some("0.0.0.0"), true)
        );
        assert!(Options::parse(&args(&["-h"])).unwrap().is_none());
        assert_eq!(
            Options::parse(&args(&["--port"])).err().unwrap(),
            "--port needs a value"
        );
        assert!(
            Options::parse(&args(&["--nope"]))
                .err()
                .unwrap()
                .contains("--nope")
        );
    }
}
