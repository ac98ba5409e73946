//! `faasade.toml`, the one file a Faasade app keeps its settings in, next to its `Cargo.toml`.
//! `cargo faasade` generates every provider manifest from it; the local dev server reads the
//! same file. Both read it through [`AppFile`], so a mistake is reported the same way by
//! either, before anything is built or served.
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
//!
//! [local]                             # the local dev server only
//! port = 3000
//! host = "127.0.0.1"
//! workers = 4
//! body_limit = 6291456
//! timeout_secs = 30
//! header_timeout_secs = 10
//! max_connections = 768
//! data_dir = ".faasade"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file's name, in the app's folder.
pub const FILE: &str = "faasade.toml";

/// A `faasade.toml`, read and checked: names are valid on every provider, no name is both a
/// var and a secret, upstreams are `http`/`https` origins, schedules have five cron fields, and
/// no section holds a key it does not know.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AppFile {
    /// `name`: the app's name (provider service and function names), if the file gives one.
    pub name: Option<String>,
    /// `routes`: custom-domain routes (Cloudflare).
    pub routes: Vec<String>,
    /// `[vars]`.
    pub vars: BTreeMap<String, String>,
    /// `[secrets]`: names, with local development values.
    pub secrets: BTreeMap<String, String>,
    /// `[kv] stores`, if the file lists them.
    pub kv_stores: Option<Vec<String>>,
    /// `[upstreams]`: name → origin.
    pub upstreams: BTreeMap<String, Upstream>,
    /// `[[schedules]]`.
    pub schedules: Vec<Schedule>,
    /// `[local]`: the local dev server's settings.
    pub local: Local,
}

/// An origin the app fetches from.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// A name for the schedule (used for provider resource names).
    pub name: String,
    /// Five-field cron: minute hour day-of-month month day-of-week.
    pub cron: String,
}

/// `[local]`: what the local dev server is told; each unset key keeps the server's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Local {
    /// Port to listen on.
    pub port: Option<u16>,
    /// Address to listen on.
    pub host: Option<IpAddr>,
    /// Worker threads.
    pub workers: Option<usize>,
    /// Largest request body accepted, in bytes.
    pub body_limit: Option<usize>,
    /// Seconds a request may take, reading its body and answering it.
    pub timeout_secs: Option<u64>,
    /// Seconds a client may take to send a request's head, or stay idle between requests.
    pub header_timeout_secs: Option<u64>,
    /// Most connections open at once.
    pub max_connections: Option<usize>,
    /// Folder for persistent state, relative to the file's folder.
    pub data_dir: Option<PathBuf>,
}

/// What is wrong with a `faasade.toml`, in words for the app's author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl ConfigError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<String>,
    #[serde(default)]
    routes: Vec<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    kv: RawKv,
    #[serde(default)]
    upstreams: BTreeMap<String, String>,
    #[serde(default)]
    schedules: Vec<Schedule>,
    #[serde(default)]
    local: Local,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKv {
    stores: Option<Vec<String>>,
}

impl AppFile {
    /// Read and check the file at `path`; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<Self>, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text)
                .map(Some)
                .map_err(|e| ConfigError::new(format!("{} is not valid: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ConfigError::new(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Parse and check the text of a `faasade.toml`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError::new(e.to_string()))?;
        if let Some(name) = &raw.name {
            check_name("name", name)?;
        }
        for key in raw.vars.keys().chain(raw.secrets.keys()) {
            check_var(key)?;
        }
        if let Some(both) = raw.vars.keys().find(|k| raw.secrets.contains_key(*k)) {
            return Err(ConfigError::new(format!(
                "`{both}` is both a var and a secret; give it one place"
            )));
        }
        for store in raw.kv.stores.iter().flatten() {
            check_name("a KV store", store)?;
        }
        let upstreams = raw
            .upstreams
            .iter()
            .map(|(name, url)| Ok((name.clone(), parse_origin(name, url)?)))
            .collect::<Result<_, ConfigError>>()?;
        for schedule in &raw.schedules {
            check_name("a schedule", &schedule.name)?;
            if schedule.cron.split_whitespace().count() != 5 {
                return Err(ConfigError::new(format!(
                    "schedule `{}`: cron {:?} needs five fields (minute hour day-of-month month day-of-week)",
                    schedule.name, schedule.cron
                )));
            }
        }
        Ok(Self {
            name: raw.name,
            routes: raw.routes,
            vars: raw.vars,
            secrets: raw.secrets,
            kv_stores: raw.kv.stores,
            upstreams,
            schedules: raw.schedules,
            local: raw.local,
        })
    }
}

/// Check a name every provider accepts for a service, store or schedule (`what` says which):
/// a letter first, then letters, digits, `-` and `_`, 63 at most.
pub fn check_name(what: &str, name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(format!(
            "{what} {name:?} must start with a letter and hold only letters, digits, `-` and `_` (63 at most)"
        )))
    }
}

fn check_var(name: &str) -> Result<(), ConfigError> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(format!(
            "var or secret {name:?} must start with a letter and hold only letters, digits and `_` (every provider accepts these)"
        )))
    }
}

fn parse_origin(name: &str, url: &str) -> Result<Upstream, ConfigError> {
    let bad = |why: &str| ConfigError::new(format!("upstream `{name}`: {url:?} {why}"));
    let uri: http::Uri = url.parse().map_err(|_| bad("is not a URL"))?;
    let scheme = match uri.scheme_str() {
        Some(s @ ("http" | "https")) => s.to_owned(),
        _ => return Err(bad("needs an http:// or https:// origin")),
    };
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(bad("must be an origin, without a path"));
    }
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("must not hold user info"));
    }
    check_host(authority.host()).map_err(bad)?;
    Ok(Upstream {
        scheme,
        host: authority.host().to_owned(),
        port: authority.port_u16(),
    })
}

/// A host every fetch check and manifest can take as written: an IPv6 literal in brackets, an
/// IPv4 address as four decimal numbers, or a DNS name (letters, digits, `-` and `_` in dot
/// separated labels) whose last label is not a number, which URL parsers would read as an
/// IPv4 address written some other way.
fn check_host(host: &str) -> Result<(), &'static str> {
    if let Some(literal) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return literal
            .parse::<std::net::Ipv6Addr>()
            .map(drop)
            .map_err(|_| "has an IPv6 host that is not an address");
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Ok(());
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if !labels_ok || host.len() > 253 {
        return Err(
            "needs a host name of letters, digits, `-` and `_` in labels between dots, or an IP address",
        );
    }
    let last = host.rsplit('.').next().unwrap_or(host);
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || last
            .strip_prefix("0x")
            .or_else(|| last.strip_prefix("0X"))
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if numeric {
        return Err(
            "has a host URL parsers read as an IPv4 address: write it as four decimal numbers",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let f = AppFile::parse(
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
host = "0.0.0.0"
data_dir = "state"
"#,
        )
        .unwrap();
        assert_eq!(f.name.as_deref(), Some("demo"));
        assert_eq!(f.vars["GREETING"], "hi");
        assert_eq!(
            f.kv_stores.as_deref(),
            Some(&["default".to_owned(), "sessions".to_owned()][..])
        );
        assert_eq!(f.upstreams["api"].authority(), "api.example.com");
        assert_eq!(f.upstreams["api"].effective_port(), 443);
        assert_eq!(f.upstreams["local"].origin(), "http://127.0.0.1:8080");
        assert_eq!(f.schedules[0].cron, "0 3 * * *");
        assert_eq!(f.local.port, Some(4000));
        assert_eq!(f.local.host, Some(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(f.local.data_dir, Some(PathBuf::from("state")));
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        assert_eq!(AppFile::parse("").unwrap(), AppFile::default());
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
            ("[kv]\nstores = [\"my store\"]", "a KV store"),
            ("[upstreams]\napi = \"ftp://x\"", "http:// or https://"),
            ("[upstreams]\napi = \"https://x/path\"", "without a path"),
            ("[upstreams]\napi = \"not a url\"", "is not a URL"),
            (
                "[upstreams]\napi = \"https://tp[::1]:8080\"",
                "host name of letters",
            ),
            (
                "[upstreams]\napi = \"https://a.exam+ple.com\"",
                "host name of letters",
            ),
            ("[upstreams]\napi = \"https://[::g]\"", "IPv6 host"),
            (
                "[upstreams]\napi = \"http://127.1\"",
                "four decimal numbers",
            ),
            (
                "[upstreams]\napi = \"http://0x7f000001:80\"",
                "four decimal numbers",
            ),
            (
                "[upstreams]\napi = \"https://u:p@api.example.com\"",
                "user info",
            ),
            (
                "[[schedules]]\nname = \"n\"\ncron = \"* * *\"",
                "five fields",
            ),
            ("[kv]\nstore = [\"x\"]", "unknown field `store`"),
            ("[local]\nprot = 1", "unknown field `prot`"),
            ("[local]\nport = \"eighty\"", "invalid type"),
            ("[vasr]\nA = \"1\"", "unknown field `vasr`"),
        ] {
            let err = AppFile::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn a_missing_file_is_none_and_a_broken_one_names_its_path() {
        let dir = std::env::temp_dir().join(format!("faasade-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE);
        let _ = std::fs::remove_file(&path);
        assert_eq!(AppFile::read(&path).unwrap(), None);
        std::fs::write(&path, "[vars]\nA = 1\n").unwrap();
        let err = AppFile::read(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{} is not valid", path.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
