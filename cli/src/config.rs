//! `faasade.toml`, the one file every provider manifest is generated from.
//!
//! ```toml
//! name = "demo"                       # the app (defaults to the package name)
//! routes = ["example.com/api/*"]      # custom-domain routes (Cloudflare)
//!
//! [vars]                              # cx.var: plain configuration
//! GREETING = "hello"
//!
//! [secrets]                           # cx.secret: local development values only; each
//! API_TOKEN = "dev-token"             # provider's secret store holds the real ones
//!
//! [kv]
//! stores = ["default"]                # what the app passes to cx.kv(..)
//!
//! [upstreams]                         # every origin the app fetches from
//! api = "https://api.example.com"
//!
//! [[schedules]]                       # JSON events on a timer (event functions)
//! name = "nightly"
//! cron = "0 3 * * *"                  # minute hour day-of-month month day-of-week
//! ```
//!
//! The local dev server reads the same file (`[vars]`, `[secrets]`, `[kv]`, `[local]`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// The file's name, in the app's folder.
pub const FILE: &str = "faasade.toml";

/// An app's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppConfig {
    /// The app's name (provider service and function names).
    pub name: String,
    /// `[vars]`.
    pub vars: BTreeMap<String, String>,
    /// `[secrets]`: names, with local development values.
    pub secrets: BTreeMap<String, String>,
    /// `[kv] stores`.
    pub kv_stores: Vec<String>,
    /// `[upstreams]`: name → origin (`https://host[:port]`).
    pub upstreams: BTreeMap<String, Upstream>,
    /// `routes`.
    pub routes: Vec<String>,
    /// `[[schedules]]`.
    pub schedules: Vec<Schedule>,
}

/// An origin the app fetches from.
#[derive(Debug, Clone, PartialEq)]
pub struct Upstream {
    /// `https` or `http`.
    pub scheme: String,
    /// The host.
    pub host: String,
    /// The port, when the origin gives one.
    pub port: Option<u16>,
}

impl Upstream {
    /// `host[:port]`, the URI authority a fetch to this origin carries.
    pub fn authority(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    /// The port a connection uses.
    pub fn effective_port(&self) -> u16 {
        self.port
            .unwrap_or(if self.scheme == "https" { 443 } else { 80 })
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority())
    }
}

/// A timer that delivers a JSON event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// A name for the schedule (used for provider resource names).
    pub name: String,
    /// Five-field cron: minute hour day-of-month month day-of-week.
    pub cron: String,
}

#[derive(Deserialize, Default)]
struct File {
    name: Option<String>,
    #[serde(default)]
    routes: Vec<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    kv: Kv,
    #[serde(default)]
    upstreams: BTreeMap<String, String>,
    #[serde(default)]
    schedules: Vec<Schedule>,
    // Read by the local dev server.
    #[allow(dead_code)]
    local: Option<toml::Table>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Kv {
    #[serde(default)]
    stores: Vec<String>,
}

impl AppConfig {
    /// Read `dir/faasade.toml`; `fallback_name` names an app whose file has no `name` (or that
    /// has no file at all).
    pub fn read(dir: &Path, fallback_name: &str) -> Result<Self> {
        let path = dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                Self::parse(&text, fallback_name).with_context(|| format!("in {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                name: fallback_name.to_owned(),
                ..Self::default()
            }),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Parse the text of a faasade.toml.
    pub fn parse(text: &str, fallback_name: &str) -> Result<Self> {
        let file: File = toml::from_str(text)?;
        let name = file.name.unwrap_or_else(|| fallback_name.to_owned());
        check_name("name", &name)?;
        for key in file.vars.keys().chain(file.secrets.keys()) {
            check_var(key)?;
        }
        if let Some(both) = file.vars.keys().find(|k| file.secrets.contains_key(*k)) {
            bail!("`{both}` is both a var and a secret; give it one place");
        }
        for store in &file.kv.stores {
            check_name("a KV store", store)?;
        }
        let mut upstreams = BTreeMap::new();
        for (name, url) in file.upstreams {
            upstreams.insert(name.clone(), parse_origin(&name, &url)?);
        }
        for schedule in &file.schedules {
            check_name("a schedule", &schedule.name)?;
            if schedule.cron.split_whitespace().count() != 5 {
                bail!(
                    "schedule `{}`: cron {:?} needs five fields (minute hour day-of-month month day-of-week)",
                    schedule.name,
                    schedule.cron
                );
            }
        }
        Ok(Self {
            name,
            vars: file.vars,
            secrets: file.secrets,
            kv_stores: file.kv.stores,
            upstreams,
            routes: file.routes,
            schedules: file.schedules,
        })
    }
}

fn check_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        bail!(
            "{what} {name:?} must start with a letter and hold only letters, digits, `-` and `_` (63 at most)"
        );
    }
    Ok(())
}

fn check_var(name: &str) -> Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        bail!(
            "var or secret {name:?} must start with a letter and hold only letters, digits and `_` (every provider accepts these)"
        );
    }
    Ok(())
}

fn parse_origin(name: &str, url: &str) -> Result<Upstream> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("upstream `{name}`: {url:?} is not a URL"))?;
    let scheme = match uri.scheme_str() {
        Some(s @ ("http" | "https")) => s.to_owned(),
        _ => bail!("upstream `{name}`: {url:?} needs an http:// or https:// origin"),
    };
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        bail!("upstream `{name}`: {url:?} must be an origin, without a path");
    }
    let authority = uri
        .authority()
        .with_context(|| format!("upstream `{name}`: {url:?} has no host"))?;
    Ok(Upstream {
        scheme,
        host: authority.host().to_owned(),
        port: authority.port_u16(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let c = AppConfig::parse(
            r#"
name = "demo"
routes = ["example.com/*"]
[vars]
GREETING = "hi"
[secrets]
API_TOKEN = "dev"
[kv]
stores = ["default", "sessions"]
[upstreams]
api = "https://api.example.com"
local = "http://127.0.0.1:8080"
[[schedules]]
name = "nightly"
cron = "0 3 * * *"
[local]
port = 4000
"#,
            "fallback",
        )
        .unwrap();
        assert_eq!(c.name, "demo");
        assert_eq!(c.upstreams["api"].authority(), "api.example.com");
        assert_eq!(c.upstreams["api"].effective_port(), 443);
        assert_eq!(c.upstreams["local"].origin(), "http://127.0.0.1:8080");
        assert_eq!(c.schedules[0].cron, "0 3 * * *");
    }

    #[test]
    fn mistakes_are_named() {
        for (text, says) in [
            ("name = \"9lives\"", "must start with a letter"),
            ("[vars]\n\"A-B\" = \"x\"", "var or secret"),
            (
                "[vars]\nA = \"1\"\n[secrets]\nA = \"2\"",
                "both a var and a secret",
            ),
            ("[upstreams]\napi = \"ftp://x\"", "http:// or https://"),
            ("[upstreams]\napi = \"https://x/path\"", "without a path"),
            (
                "[[schedules]]\nname = \"n\"\ncron = \"* * *\"",
                "five fields",
            ),
            ("[kv]\nstore = [\"x\"]", "unknown field"),
        ] {
            let err = format!("{:#}", AppConfig::parse(text, "app").unwrap_err());
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn the_name_falls_back_to_the_package() {
        assert_eq!(AppConfig::parse("", "my-app").unwrap().name, "my-app");
    }
}
