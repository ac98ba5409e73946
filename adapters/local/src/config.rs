//! The local server's settings: `faasade.toml`, then the environment, then command-line flags.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use faasade_config::AppFile;
use faasade_core::DEFAULT_BODY_LIMIT;

/// The file an app keeps its settings in, next to its `Cargo.toml`.
pub const CONFIG_FILE: &str = faasade_config::FILE;

/// Settings of the local target. Its `Debug` output (what `--check` prints) shows secret names,
/// never their values.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Address to listen on (`127.0.0.1`).
    pub host: IpAddr,
    /// Port to listen on (`3000`; `0` picks a free one).
    pub port: u16,
    /// Worker threads, each with its own single-threaded runtime (handler futures need not be
    /// `Send`). Defaults to the number of cores.
    pub workers: usize,
    /// Largest request body accepted; larger ones get `413`.
    pub body_limit: usize,
    /// Time a request may take: its body must arrive within it (else `408`) and the handler
    /// must answer within it (else `504`). The context's deadline.
    pub timeout: Duration,
    /// Time a client may take to send a request's head, and may stay idle between requests on
    /// a kept-alive connection; past it the connection is closed.
    pub header_timeout: Duration,
    /// Most connections open at once. At the limit, a new connection closes the oldest one that
    /// is not being answered (slow or idle); when every one is being answered, accepting waits.
    /// Defaults to three quarters of the open-file limit, leaving the rest for the KV database,
    /// logs and outbound fetches.
    pub max_connections: usize,
    /// Folder for persistent state (the KV database).
    pub data_dir: PathBuf,
    /// Values for `Context::var` (the environment wins over these).
    pub vars: BTreeMap<String, String>,
    /// Values for `Context::secret` (the environment wins over these).
    pub secrets: BTreeMap<String, String>,
    /// The KV stores the app declares in `[kv] stores`. When set, opening any other store is
    /// an error, as it is on targets that need each store bound (Cloudflare); unset, any name
    /// opens.
    pub kv_stores: Option<Vec<String>>,
    /// The `faasade.toml` these came from, if any.
    pub source: Option<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// The secrets' names, each with a mark in place of its value.
        struct Redacted<'a>(&'a BTreeMap<String, String>);
        impl fmt::Debug for Redacted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.keys().map(|name| (name, format_args!("<redacted>"))))
                    .finish()
            }
        }
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("workers", &self.workers)
            .field("body_limit", &self.body_limit)
            .field("timeout", &self.timeout)
            .field("header_timeout", &self.header_timeout)
            .field("max_connections", &self.max_connections)
            .field("data_dir", &self.data_dir)
            .field("vars", &self.vars)
            .field("secrets", &Redacted(&self.secrets))
            .field("kv_stores", &self.kv_stores)
            .field("source", &self.source)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 3000,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_connections: default_max_connections(),
            data_dir: PathBuf::from(".faasade"),
            vars: BTreeMap::new(),
            secrets: BTreeMap::new(),
            kv_stores: None,
            source: None,
        }
    }
}

/// A setting that could not be read.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl From<faasade_config::ConfigError> for ConfigError {
    fn from(e: faasade_config::ConfigError) -> Self {
        Self(e.to_string())
    }
}

impl Config {
    /// Settings from a `faasade.toml` (relative paths in it are relative to its folder), read
    /// and checked by [`faasade_config`] as `cargo faasade` reads it.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let file = AppFile::read(path)?.ok_or_else(|| {
            ConfigError(format!("cannot read {}: it does not exist", path.display()))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut config = Config {
            vars: file.vars,
            secrets: file.secrets,
            kv_stores: file.kv_stores,
            ..Config::default()
        };
        config.data_dir = dir.join(&config.data_dir);
        let local = file.local;
        set(&mut config.port, local.port);
        set(&mut config.host, local.host);
        set(&mut config.workers, local.workers);
        set(&mut config.body_limit, local.body_limit);
        set(
            &mut config.timeout,
            local.timeout_secs.map(Duration::from_secs),
        );
        set(
            &mut config.header_timeout,
            local.header_timeout_secs.map(Duration::from_secs),
        );
        set(&mut config.max_connections, local.max_connections);
        set(&mut config.data_dir, local.data_dir.map(|d| dir.join(d)));
        config.source = Some(path.to_owned());
        config.check()?;
        Ok(config)
    }

    /// Find `faasade.toml` in the current folder, else in `fallback_dir` (the app's manifest
    /// folder, so `cargo run -p app` in a workspace finds it); defaults when there is none.
    pub fn discover(fallback_dir: Option<&Path>) -> Result<Self, ConfigError> {
        let candidates = [Some(Path::new(".")), fallback_dir];
        match candidates
            .into_iter()
            .flatten()
            .map(|d| d.join(CONFIG_FILE))
            .find(|p| p.is_file())
        {
            Some(path) => Self::from_file(&path),
            None => Ok(Self::default()),
        }
    }

    /// Apply `PORT`, `FAASADE_HOST`, `FAASADE_WORKERS`, `FAASADE_BODY_LIMIT`,
    /// `FAASADE_TIMEOUT_SECS`, `FAASADE_HEADER_TIMEOUT_SECS`, `FAASADE_MAX_CONNECTIONS` and
    /// `FAASADE_DATA_DIR` from `env`.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        set(&mut self.port, parse(&env, "PORT")?);
        set(&mut self.host, parse(&env, "FAASADE_HOST")?);
        set(&mut self.workers, parse(&env, "FAASADE_WORKERS")?);
        set(&mut self.body_limit, parse(&env, "FAASADE_BODY_LIMIT")?);
        set(
            &mut self.timeout,
            parse(&env, "FAASADE_TIMEOUT_SECS")?.map(Duration::from_secs),
        );
        set(
            &mut self.header_timeout,
            parse(&env, "FAASADE_HEADER_TIMEOUT_SECS")?.map(Duration::from_secs),
        );
        set(
            &mut self.max_connections,
            parse(&env, "FAASADE_MAX_CONNECTIONS")?,
        );
        set(
            &mut self.data_dir,
            env("FAASADE_DATA_DIR").map(PathBuf::from),
        );
        self.check()
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.workers == 0 {
            return Err(ConfigError("workers must be at least 1".into()));
        }
        if self.timeout.is_zero() {
            return Err(ConfigError("timeout_secs must be at least 1".into()));
        }
        if self.header_timeout.is_zero() {
            return Err(ConfigError("header_timeout_secs must be at least 1".into()));
        }
        if self.max_connections == 0 {
            return Err(ConfigError("max_connections must be at least 1".into()));
        }
        Ok(())
    }
}

/// Three quarters of the soft open-file limit (768 under the usual `ulimit -n 1024`), at most
/// 65,536; 768 where the limit cannot be read.
fn default_max_connections() -> usize {
    open_file_limit().map_or(768, |n| (n / 4 * 3).clamp(16, 65_536) as usize)
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn parse<T: std::str::FromStr>(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<T>, ConfigError>
where
    T::Err: fmt::Display,
{
    match env(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| ConfigError(format!("{name}={v:?} is not valid: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_names_secrets_but_never_shows_them() {
        let mut config = Config::default();
        config
            .secrets
            .insert("API_TOKEN".into(), "s3cret-value".into());
        config.vars.insert("GREETING".into(), "hi".into());
        let shown = format!("{config:#?}");
        assert!(shown.contains("API_TOKEN"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(shown.contains("\"hi\""), "{shown}");
        assert!(!shown.contains("s3cret-value"), "{shown}");
    }

    #[test]
    fn file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "[vars]\nGREETING = \"hi\"\n[secrets]\nTOKEN = \"t\"\n[kv]\nstores = [\"cache\"]\n[local]\nport = 4000\nbody_limit = 10\n",
        )
        .unwrap();
        let mut config = Config::from_file(&path).unwrap();
        assert_eq!(config.vars["GREETING"], "hi");
        assert_eq!(config.secrets["TOKEN"], "t");
        assert_eq!(config.kv_stores, Some(vec!["cache".to_owned()]));
        assert_eq!((config.port, config.body_limit), (4000, 10));
        assert_eq!(config.data_dir, dir.path().join(".faasade"));
        config
            .apply_env(|k| (k == "PORT").then(|| "5000".to_owned()))
            .unwrap();
        assert_eq!(config.port, 5000);
    }

    #[test]
    fn typos_and_bad_values_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "[local]\nprot = 1\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("unknown field `prot`"), "{err}");
        std::fs::write(&path, "[upstreams]\napi = \"ftp://x\"\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("http:// or https://"),
            "checked as cargo faasade checks it: {err}"
        );
        let err = Config::default()
            .apply_env(|k| (k == "PORT").then(|| "eighty".to_owned()))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("PORT=\"eighty\" is not valid"),
            "{err}"
        );
    }
}
