//! `cargo faasade build <target>`: the exact build each target needs, then the provider's
//! deployable artifact and its manifest under `dist/<target>/`.
//!
//! The build itself is the target's own ([`Tooling::build`], one module per target in
//! `adapters/<target>/tooling`); this module runs it in order: the manifests first (a setting the
//! target cannot carry out fails before a long build), the build into an emptied
//! `dist/<target>/`, the manifests beside the artifact, then the provider's bundle if it has one.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::Tooling;
use crate::manifest::Manifest;
use crate::project::Project;
use crate::status;

/// How to build.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `--release`.
    pub release: bool,
    /// The Lambda architecture (aws only).
    pub arch: Arch,
}

/// The Lambda architecture an `aws` build targets and its SAM template deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// Graviton.
    Arm64,
    /// x86-64.
    X86_64,
}

impl Arch {
    /// SAM's and cargo-lambda's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Arm64 => "arm64",
            Arch::X86_64 => "x86_64",
        }
    }

    /// The Rust target a build for it uses.
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::Arm64 => "aarch64-unknown-linux-gnu",
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
        }
    }
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Built {
    /// `dist/<target>`.
    pub dist: PathBuf,
    /// The main artifact in it.
    pub artifact: PathBuf,
}

/// Build `target` and write its artifact and manifests to `dist/<target>/`.
pub fn build(project: &Project, target: &dyn Tooling, options: Options) -> Result<Built> {
    let name = target.name();
    // Manifests first: a setting the target cannot carry out fails before a long build.
    let manifests = target.manifests(&project.app, options)?;
    let profile = if options.release { "release" } else { "debug" };
    status::line(
        "Building",
        &format!("{} for {name} ({profile})", project.app.package),
    );
    let dist = project.fresh_dist(name)?;
    let artifact = target.build(project, &dist, options)?;
    write_manifests(project, &dist, &manifests)?;
    target.bundle(project, &dist)?;
    status::line(
        "Finished",
        &format!("{name}: {}", relative(&project.dir, &artifact)),
    );
    Ok(Built { dist, artifact })
}

/// `cargo faasade package <target>`: the manifests alone, into `dist/<target>/`.
pub fn package(project: &Project, target: &dyn Tooling, options: Options) -> Result<Vec<PathBuf>> {
    let name = target.name();
    let manifests = target.manifests(&project.app, options)?;
    if manifests.is_empty() {
        match target.target().feature {
            None => bail!(
                "the `{name}` target has no provider manifest: faasade.toml is its configuration"
            ),
            Some(_) => bail!(
                "the `{name}` target has no manifest: a wasi:http host takes the component alone (`cargo faasade build {name}`)"
            ),
        }
    }
    let dist = project.dir.join("dist").join(name);
    std::fs::create_dir_all(&dist)?;
    write_manifests(project, &dist, &manifests)
}

fn write_manifests(project: &Project, dist: &Path, manifests: &[Manifest]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for m in manifests {
        let path = dist.join(m.file);
        std::fs::write(&path, &m.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        status::line("Generated", &relative(&project.dir, &path));
        for note in &m.notes {
            status::note(note);
        }
        written.push(path);
    }
    Ok(written)
}

/// `path` relative to `base` when it is inside it.
pub fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
