//! Each target's tooling in one module: how `cargo faasade` builds it, which manifests it
//! writes, how `dev` runs it locally and what `doctor` checks for it. The commands loop over
//! [`ALL`], one [`Tooling`] per target of the registry (`faasade_targets::TARGETS`), and
//! hold no per-target `match`: a new target is a new module here and a line in [`ALL`].

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use faasade_targets::Target;

use crate::build::Options;
use crate::dev::DevOptions;
use crate::manifest::{App, Manifest};
use crate::project::Project;
use crate::tools::{self, Tool};

pub mod aws;
pub mod cloudflare;
pub mod fastly;
pub mod local;
pub mod openwhisk;
pub mod spin;
pub mod wasi;

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

/// Every target's tooling, in the registry's order.
pub static ALL: &[&dyn Tooling] = &[
    &local::Local,
    &aws::Aws,
    &cloudflare::Cloudflare,
    &fastly::Fastly,
    &spin::Spin,
    &openwhisk::OpenWhisk,
    &wasi::Wasi,
];

/// The tooling of the target named `name`, or an error listing the targets.
pub fn get(name: &str) -> Result<&'static dyn Tooling> {
    if let Some(tooling) = ALL.iter().find(|t| t.name() == name) {
        return Ok(*tooling);
    }
    let names: Vec<&str> = ALL.iter().map(|t| t.name()).collect();
    bail!("no target `{name}`: pick one of {}", names.join(", "))
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
fn need_rust_target(tooling: &dyn Tooling, triple: &str) -> Result<()> {
    tools::need_rust_target(triple, tooling.name())
}

/// `cargo build --target <triple> --features <target> <more>` for the app; the `.wasm` cargo
/// reported for the artifact of `kind` (`bin`, `cdylib`).
fn build_wasm(
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
fn copy_into(from: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    let to = dir.join(name);
    std::fs::copy(from, &to)
        .map_err(|e| anyhow::anyhow!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_target_in_the_registry_has_its_tooling_in_order() {
        let tooled: Vec<&str> = super::ALL.iter().map(|t| t.name()).collect();
        let registered: Vec<&str> = faasade_targets::TARGETS.iter().map(|t| t.name).collect();
        assert_eq!(tooled, registered);
        for t in super::ALL {
            assert_eq!(t.target().name, t.name());
        }
    }

    #[test]
    fn an_unknown_target_is_refused_with_the_list() {
        let e = super::get("azure").err().unwrap().to_string();
        assert!(e.contains("no target `azure`"), "{e}");
        assert!(e.contains("local, aws, cloudflare"), "{e}");
    }
}
