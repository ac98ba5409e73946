//! `faasade-wasm-host`: serve a `wasi:http` component (the `spin` or `wasi` target's build)
//! locally with embedded wasmtime. See the library's docs for what it offers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use faasade_wasm_host::{Host, HostConfig, default_cache_dir, load_component};

#[derive(Parser)]
#[command(
    name = "faasade-wasm-host",
    version,
    about = "Serve a wasi:http component (Faasade's spin and wasi targets) locally with embedded wasmtime"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a component over HTTP until stopped.
    Serve(Serve),
    /// Compile a component into the `.cwasm` cache and exit.
    Compile {
        /// The component (`.wasm`).
        component: PathBuf,
        /// The cache folder (default: `~/.cache/faasade/cwasm`).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct Serve {
    /// The component (`.wasm`), built for wasm32-wasip2 with `--features spin` or `--features wasi`.
    component: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The app's folder: its faasade.toml gives vars, secrets, KV stores and the data folder.
    #[arg(long)]
    app: Option<PathBuf>,
    /// An environment variable for the component, on top of faasade.toml's vars: `NAME=VALUE`,
    /// or `NAME` alone for this process's own `NAME` (keeps secrets off the command line).
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// An authority (`host:port`) outbound HTTP may reach; `*` allows any. Repeatable.
    #[arg(long = "allow-outbound", value_name = "HOST:PORT")]
    allow_outbound: Vec<String>,
    /// Requests one instance serves before it is dropped (1: a fresh instance per request).
    #[arg(long, default_value_t = 1)]
    reuse: usize,
    /// The `.cwasm` cache folder (default: `$XDG_CACHE_HOME/faasade/cwasm`, else
    /// `~/.cache/faasade/cwasm`). Only files this host wrote there are loaded.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Compile on every start instead of using the cache.
    #[arg(long)]
    no_cache: bool,
    /// Most linear memory per instance, in MiB.
    #[arg(long, default_value_t = 128)]
    max_memory_mb: usize,
    /// Most linear memory all instances together may hold, in MiB.
    #[arg(long, default_value_t = 1024)]
    max_total_memory_mb: usize,
    /// Most time per request, in milliseconds (default: faasade.toml's, else 30 s).
    #[arg(long)]
    timeout_ms: Option<u64>,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(serve) => run(serve),
        Command::Compile {
            component,
            cache_dir,
        } => {
            let engine = match wasmtime::Engine::new(&compile_config()) {
                Ok(e) => e,
                Err(e) => return fail(e),
            };
            let Some(cache_dir) = cache_dir.or_else(default_cache_dir) else {
                return fail("no cache folder: pass --cache-dir, or set HOME or XDG_CACHE_HOME");
            };
            match load_component(&engine, &component, Some(&cache_dir)) {
                Ok(loaded) => {
                    if let Some(file) = loaded.cache_file {
                        println!("{}", file.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

/// The settings `serve` compiles with, which the cache key includes.
fn compile_config() -> wasmtime::Config {
    let config = HostConfig::for_app(PathBuf::new(), None).expect("defaults");
    faasade_wasm_host::engine_config(&config)
}

fn run(args: Serve) -> ExitCode {
    let mut config = match HostConfig::for_app(args.component, args.app.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    for pair in &args.env {
        let (name, value) = match pair.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => match std::env::var(pair) {
                Ok(value) => (pair.clone(), value),
                Err(_) => {
                    return fail(format!(
                        "--env {pair:?}: `{pair}` is not set in this process's environment"
                    ));
                }
            },
        };
        config.env.push((name, value));
    }
    config.allowed_outbound = args.allow_outbound;
    config.instance_reuse = args.reuse;
    config.cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir.or_else(default_cache_dir)
    };
    config.memory_limit = args.max_memory_mb << 20;
    config.total_memory_limit = args.max_total_memory_mb << 20;
    if let Some(ms) = args.timeout_ms {
        config.timeout = Duration::from_millis(ms);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    runtime.block_on(async move {
        let host = match Host::new(config) {
            Ok(h) => h,
            Err(e) => return fail(format!("{e:#}")),
        };
        eprintln!(
            "faasade-wasm-host: {} component {} in {:?}",
            host.world,
            if host.loaded.from_cache {
                "loaded from the cache"
            } else {
                "compiled"
            },
            host.loaded.took
        );
        tokio::select! {
            served = host.bind_and_serve(args.addr) => match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            },
            _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
            _ = terminated() => ExitCode::SUCCESS,
        }
    })
}

async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("faasade-wasm-host: {e}");
    ExitCode::FAILURE
}
