//! Finding the tools each target needs: an explicit `FAASADE_<TOOL>` variable, then `PATH`,
//! then the cache Faasade's test command fills (`$FAASADE_CACHE`, default `~/.cache/faasade`).
//! A missing tool is an error that names it, the target that needs it and the command that
//! installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

/// A tool a target needs (each target's tooling names its own).
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
