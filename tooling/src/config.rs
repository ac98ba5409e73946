//! `faasade.toml`, the one file every provider manifest is generated from, as `cargo faasade`
//! uses it: the file read and checked by [`faasade_config`] (the local dev server reads it the
//! same way), with the app's name settled (the package name when the file gives none).

use std::path::Path;

use anyhow::{Context as _, Result};
use faasade_config::{AppFile, check_name};
pub use faasade_config::{FILE, Schedule, Upstream};

/// An app's configuration: faasade.toml as [`faasade_config`] reads it, with the app's name
/// settled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppConfig {
    /// The app's name (provider service and function names): the file's `name`, else the
    /// package's.
    pub name: String,
    /// The file, in the one schema the CLI and the dev server share.
    pub file: AppFile,
}

impl AppConfig {
    /// Read `dir/faasade.toml`; `fallback_name` names an app whose file has no `name` (or that
    /// has no file at all).
    pub fn read(dir: &Path, fallback_name: &str) -> Result<Self> {
        let file = AppFile::read(&dir.join(FILE))?.unwrap_or_default();
        Self::from_file(file, fallback_name)
    }

    /// Parse the text of a faasade.toml.
    pub fn parse(text: &str, fallback_name: &str) -> Result<Self> {
        Self::from_file(AppFile::parse(text)?, fallback_name)
    }

    fn from_file(file: AppFile, fallback_name: &str) -> Result<Self> {
        let name = match &file.name {
            Some(name) => name.clone(),
            None => {
                let name = fallback_name.to_owned();
                check_name("name", &name).context("the app has no `name` in faasade.toml")?;
                name
            }
        };
        Ok(Self { name, file })
    }

    /// `[kv] stores`: none when the file lists none.
    pub fn kv_stores(&self) -> &[String] {
        self.file.kv_stores.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_maps_onto_the_app() {
        let c = AppConfig::parse(
            "name = \"demo\"\n[kv]\nstores = [\"default\"]\n[upstreams]\napi = \"https://api.example.com\"\n",
            "fallback",
        )
        .unwrap();
        assert_eq!(c.name, "demo");
        assert_eq!(c.kv_stores(), ["default"]);
        assert_eq!(c.file.upstreams["api"].authority(), "api.example.com");
        let err = format!(
            "{:#}",
            AppConfig::parse("[kv]\nstore = []", "app").unwrap_err()
        );
        assert!(err.contains("unknown field `store`"), "{err}");
    }

    #[test]
    fn the_name_falls_back_to_the_package() {
        assert_eq!(AppConfig::parse("", "my-app").unwrap().name, "my-app");
        let err = format!("{:#}", AppConfig::parse("", "9lives").unwrap_err());
        assert!(
            err.contains("no `name`") && err.contains("must start with a letter"),
            "{err}"
        );
    }
}
