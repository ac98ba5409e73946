//! The local target: the app's own server binary for this machine, built by cargo alone;
//! `dev` runs it with `PORT`. faasade.toml is its configuration, so it has no manifest.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result};

use faasade_tooling::build::Options;
use faasade_tooling::dev::{self, DevOptions, Server};
use faasade_tooling::manifest::{App, Manifest};
use faasade_tooling::project::Project;
use faasade_tooling::status;
use faasade_tooling::{Need, Tooling, copy_into};

/// The `local` target.
pub struct Local;

impl Tooling for Local {
    fn name(&self) -> &'static str {
        "local"
    }

    fn needs(&self) -> Vec<Need> {
        Vec::new()
    }

    fn manifests(&self, _: &App, _: Options) -> Result<Vec<Manifest>> {
        Ok(Vec::new())
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        copy_into(
            &project.build_bin(options.release)?,
            dist,
            &project.app.package,
        )
    }

    /// The binary cargo built, run in place: a rebuild replaces it only once it links.
    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        dev::serve(
            project,
            options.watch,
            || project.build_bin(options.build.release),
            |exe| {
                status::line("Serving", &format!("http://127.0.0.1:{}/", options.port));
                let mut command = Command::new(exe);
                command
                    .current_dir(&project.dir)
                    .env("PORT", options.port.to_string());
                Server::spawn(command).with_context(|| format!("cannot start {}", exe.display()))
            },
        )
    }
}
