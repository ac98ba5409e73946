//! The app `cargo faasade` works on: its folder, its cargo package, its faasade.toml.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

use crate::config::AppConfig;
use crate::manifest::App;
use crate::status;

/// An app folder.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding Cargo.toml and faasade.toml.
    pub dir: PathBuf,
    /// The package and its configuration.
    pub app: App,
}

impl Project {
    /// The app in `dir` or the nearest folder above it with a Cargo.toml.
    pub fn find(start: &Path) -> Result<Self> {
        let dir = start
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file())
            .with_context(|| {
                format!(
                    "no Cargo.toml in {} or above: run this in an app's folder (`cargo faasade new <name>` makes one)",
                    start.display()
                )
            })?
            .to_path_buf();
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?;
        let cargo: toml::Table = text
            .parse()
            .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
        let package = cargo
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .with_context(|| {
                format!(
                    "{} has no [package] name: run this in an app's folder, not a workspace root",
                    manifest.display()
                )
            })?
            .to_owned();
        let config = AppConfig::read(&dir, &package)?;
        Ok(Self {
            dir,
            app: App { config, package },
        })
    }

    /// `dist/<target>`, emptied.
    pub fn fresh_dist(&self, target: &str) -> Result<PathBuf> {
        let dir = self.dir.join("dist").join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot empty {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    /// `cargo build [--release] --bin <package>` for this machine; the server executable (what
    /// the `local` target runs).
    pub fn build_bin(&self, release: bool) -> Result<PathBuf> {
        let release: &[&str] = if release { &["--release"] } else { &[] };
        let args = [release, &["--bin", &self.app.package]].concat();
        self.cargo_build(&args, "bin")?
            .into_iter()
            .next()
            .context("the local build produced no executable")
    }

    /// `cargo build <args>` in the app's folder; the files of the package's artifact of kind
    /// `kind` (`bin`, `cdylib`), the executable first.
    pub fn cargo_build(&self, args: &[&str], kind: &str) -> Result<Vec<PathBuf>> {
        let artifact = cargo_artifact(&self.dir, args, &self.app.crate_name(), Some(kind))?;
        Ok(artifact
            .executable
            .into_iter()
            .chain(artifact.filenames)
            .collect())
    }
}

/// What cargo built for one target of a package.
#[derive(Debug, Clone, Default)]
pub struct Artifact {
    /// The executable, for a binary.
    pub executable: Option<PathBuf>,
    /// Every file written (a library's `.wasm`, `.rlib`, ...).
    pub filenames: Vec<PathBuf>,
}

/// `cargo build <args>` in `dir` (cargo's own output on the terminal); what cargo reported
/// building for the target named `name` (`-` and `_` alike), of kind `kind` (`bin`, `cdylib`)
/// when given — the last such report, as cargo prints them.
pub fn cargo_artifact(
    dir: &Path,
    args: &[&str],
    name: &str,
    kind: Option<&str>,
) -> Result<Artifact> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--message-format=json-render-diagnostics")
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::inherit());
    status::running(&command);
    let out = command.output().context("cannot run cargo")?;
    if !out.status.success() {
        bail!("cargo build {} failed", args.join(" "));
    }
    let name = name.replace('-', "_");
    let message = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .replace('-', "_")
                == name
        })
        .rfind(|m| {
            kind.is_none_or(|kind| {
                m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == kind))
            })
        })
        .with_context(|| {
            format!(
                "cargo build {} produced no {}",
                args.join(" "),
                kind.unwrap_or("artifact")
            )
        })?;
    Ok(Artifact {
        executable: message["executable"].as_str().map(PathBuf::from),
        filenames: message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .collect(),
    })
}

/// Run `command` with the terminal; an error naming `what` when it fails.
pub fn run(command: &mut Command, what: &str) -> Result<()> {
    status::running(command);
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}
