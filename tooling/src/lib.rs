//! What every target's tooling is built from. `cargo faasade` builds, packages and runs an
//! app for a target through one [`Tooling`] per target; each one lives beside its adapter
//! (`adapters/<target>/tooling`, crate `faasade-<target>-tooling`) and uses the pieces here:
//!
//! - [`project`]: the app being built (its faasade.toml and cargo metadata) and cargo builds;
//! - [`build`]: the build and package steps every target goes through, and their [`Options`];
//! - [`manifest`]: the app as manifests see it, and helpers to write TOML and YAML;
//! - [`dev`]: `cargo faasade dev`'s plumbing: rebuild on change, restart the runtime;
//! - [`component`]: a `wasm32-wasip2` component and Faasade's Wasm host, for the targets that
//!   deploy one;
//! - [`tools`] and [`status`]: external tools (where they are, how to get them) and the lines
//!   `cargo faasade` prints.
//!
//! The list of every target's tooling is the CLI's (`cargo_faasade::targets::ALL`), checked
//! against the registry (`faasade_targets::TARGETS`).

use std::path::{Path, PathBuf};

use anyhow::Result;
use faasade_targets::Target;

pub use build::Options;
pub use dev::DevOptions;
pub use manifest::{App, Manifest};
pub use project::Project;
pub use tools::Tool;

pub mod build;
pub mod component;
pub mod config;
pub mod dev;
pub mod manifest;
pub mod project;
pub mod status;
pub mod tools;

/// What `cargo faasade` does for one target.
pub trait Tooling: Sync {
    /// The target's name in the registry.
    fn name(&self) -> &'static str;

    /// What the target needs on this machine, which `doctor` checks.
    fn needs(&self) -> Vec<Need>;

    /// The provider's manifests, generated from faasade.toml; an error naming the setting when
    /// the app asks for something the target cannot carry out.
    fn manifests(&self, app: &App, options: Options) -> Result<Vec<Manifest>>;

    /// Compile the app and put its deployable artifact into `dist` (empty); the artifact.
    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf>;

    /// Bundle what the build and the manifests left in `dist`, for providers that deploy one
    /// file holding both (Fastly's package). Most deploy the folder as it is.
    fn bundle(&self, _project: &Project, _dist: &Path) -> Result<()> {
        Ok(())
    }

    /// Serve the app on 127.0.0.1 in the target's own local runtime, until interrupted.
    fn dev(&self, project: &Project, options: DevOptions) -> Result<()>;

    /// The target's entry in the registry.
    fn target(&self) -> &'static Target {
        faasade_targets::target(self.name()).expect("every tooling is of a registered target")
    }
}

/// One requirement of a target.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// A Rust target installed with rustup.
    RustTarget(&'static str),
    /// A tool.
    Tool(Tool),
}

/// An error unless the Rust target `tooling` builds for is installed.
pub fn need_rust_target(tooling: &dyn Tooling, triple: &str) -> Result<()> {
    tools::need_rust_target(triple, tooling.name())
}

/// `cargo build --target <triple> --features <target> <more>` for the app; the `.wasm` cargo
/// reported for the artifact of `kind` (`bin`, `cdylib`).
pub fn build_wasm(
    tooling: &dyn Tooling,
    project: &Project,
    options: Options,
    more: &[&str],
    kind: &str,
) -> Result<PathBuf> {
    let triple = tooling.target().rust_target;
    need_rust_target(tooling, triple)?;
    let feature = tooling.target().feature.unwrap_or_default();
    let release: &[&str] = if options.release { &["--release"] } else { &[] };
    let args = [release, &["--target", triple, "--features", feature], more].concat();
    let files = project.cargo_build(&args, kind)?;
    files
        .into_iter()
        .find(|f| f.extension().is_some_and(|e| e == "wasm"))
        .ok_or_else(|| anyhow::anyhow!("the {} build produced no .wasm", tooling.name()))
}

/// `from` copied into `dir` as `name`.
pub fn copy_into(from: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    let to = dir.join(name);
    std::fs::copy(from, &to)
        .map_err(|e| anyhow::anyhow!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    Ok(to)
}
