//! `cargo faasade new <name> [--template http|json-event|axum|kv]`: a ready app from
//! `templates/apps/<template>` (the same files `cargo generate` uses; `{{project-name}}` and
//! `{{crate_name}}` are filled in).
//!
//! The app depends on `faasade` from crates.io, or on a Faasade checkout by path: the one
//! given with `--faasade-path`, else the one this `cargo-faasade` was built from when it is
//! still there. A path dependency also takes the checkout's Cargo.lock, so the app builds with
//! the dependency versions Faasade is tested with.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::status;

/// One template's files: (path in the app, contents).
type Files = &'static [(&'static str, &'static str)];

macro_rules! template {
    ($dir:literal) => {
        &[
            (
                "Cargo.toml",
                include_str!(concat!("../../templates/apps/", $dir, "/Cargo.toml")),
            ),
            (
                "faasade.toml",
                include_str!(concat!("../../templates/apps/", $dir, "/faasade.toml")),
            ),
            (
                "src/lib.rs",
                include_str!(concat!("../../templates/apps/", $dir, "/src/lib.rs")),
            ),
            (
                "src/main.rs",
                include_str!(concat!("../../templates/apps/", $dir, "/src/main.rs")),
            ),
            (
                ".gitignore",
                include_str!(concat!("../../templates/apps/", $dir, "/.gitignore")),
            ),
            (
                "README.md",
                include_str!(concat!("../../templates/apps/", $dir, "/README.md")),
            ),
        ]
    };
}

/// The templates, by name.
pub const TEMPLATES: &[(&str, &str, Files)] = &[
    ("http", "an HTTP handler (the default)", template!("http")),
    (
        "json-event",
        "a JSON event function (queues, schedules, plain OpenWhisk actions)",
        template!("json-event"),
    ),
    ("axum", "an axum Router", template!("axum")),
    ("kv", "an HTTP handler with a KV store", template!("kv")),
];

/// Where the faasade dependency comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `faasade = "<version>"` from crates.io.
    Registry,
    /// A Faasade checkout.
    Path(PathBuf),
}

impl Source {
    /// `--faasade-path`, else the checkout this binary was built from (if still there), else
    /// crates.io.
    pub fn pick(explicit: Option<PathBuf>) -> Result<Self> {
        if let Some(path) = explicit {
            let path = path
                .canonicalize()
                .with_context(|| format!("--faasade-path {}", path.display()))?;
            if !path.join("core").is_dir() {
                bail!(
                    "--faasade-path {}: not a Faasade checkout (no core/ folder)",
                    path.display()
                );
            }
            return Ok(Source::Path(path));
        }
        let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        match built_from.canonicalize() {
            Ok(root) if root.join("core").is_dir() && root.join("Cargo.toml").is_file() => {
                Ok(Source::Path(root))
            }
            _ => Ok(Source::Registry),
        }
    }
}

/// A valid package name, or an error saying why not.
fn check_name(name: &str) -> Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok || name.len() > 63 {
        bail!(
            "{name:?} cannot name an app: use lower-case letters, digits, `-` and `_`, starting with a letter (63 at most)"
        );
    }
    if ["faasade", "test", "core", "std"].contains(&name) {
        bail!("{name:?} would clash with a crate the app uses; pick another name");
    }
    Ok(())
}

/// Write the app `name` from `template` into `parent/name`; its folder.
pub fn new(parent: &Path, name: &str, template: &str, source: &Source) -> Result<PathBuf> {
    check_name(name)?;
    let Some((_, _, files)) = TEMPLATES.iter().find(|(t, _, _)| *t == template) else {
        let names: Vec<&str> = TEMPLATES.iter().map(|(t, _, _)| *t).collect();
        bail!("no template `{template}`: pick one of {}", names.join(", "));
    };
    let dir = parent.join(name);
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    let crate_name = name.replace('-', "_");
    for (path, text) in *files {
        let mut text = text
            .replace("{{project-name}}", name)
            .replace("{{crate_name}}", &crate_name);
        if *path == "Cargo.toml" {
            text = with_source(&text, source);
        }
        let to = dir.join(path);
        std::fs::create_dir_all(to.parent().expect("a file in the app"))?;
        std::fs::write(&to, text).with_context(|| format!("cannot write {}", to.display()))?;
    }
    if let Source::Path(root) = source {
        let lock = root.join("Cargo.lock");
        if lock.is_file() {
            std::fs::copy(&lock, dir.join("Cargo.lock"))?;
        }
    }
    status::line(
        "Created",
        &format!("{name} ({template}) in {}", dir.display()),
    );
    Ok(dir)
}

fn with_source(cargo_toml: &str, source: &Source) -> String {
    match source {
        Source::Registry => cargo_toml.to_owned(),
        Source::Path(root) => cargo_toml.replace(
            "faasade = \"0.1\"",
            &format!(
                "faasade = {{ path = {} }}",
                toml::Value::String(root.display().to_string())
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for bad in ["", "9x", "My-App", "a b", "faasade"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        check_name("demo-app_2").unwrap();
    }

    #[test]
    fn every_template_fills_its_placeholders() {
        let dir = tempfile::tempdir().unwrap();
        for (template, _, _) in TEMPLATES {
            let name = format!("app-{template}");
            let app = new(dir.path(), &name, template, &Source::Registry).unwrap();
            for entry in ["Cargo.toml", "faasade.toml", "src/lib.rs", "src/main.rs"] {
                let text = std::fs::read_to_string(app.join(entry)).unwrap();
                assert!(
                    !text.contains("{{"),
                    "{template}/{entry} keeps a placeholder"
                );
            }
            let main = std::fs::read_to_string(app.join("src/main.rs")).unwrap();
            assert!(main.contains(&format!("faasade::run!({});", name.replace('-', "_"))));
        }
        let again = new(dir.path(), "app-http", "http", &Source::Registry);
        assert!(again.unwrap_err().to_string().contains("already exists"));
    }
}
