//! Faasade's target registry: every build target with its cargo feature, the Rust target it
//! builds for, its deployable artifact, what it supports (with the reason for each "no") and
//! the real runtime it is tested on. Everything else that lists targets is derived from
//! [`TARGETS`]: the umbrella's feature and platform checks (its build script), the README's
//! support table ([`support_table`]), the CLI's target argument and `doctor`, and the
//! conformance suite's shims. Tests fail when a target is added anywhere but here.
//!
//! ```
//! use faasade_targets::{Capability, Support, target};
//!
//! let aws = target("aws").unwrap();
//! assert_eq!(aws.feature, Some("aws"));
//! assert!(matches!(aws.supports(Capability::Kv), Some(Support::No(_))));
//! ```
//!
//! The crate has no dependencies, so build scripts can read it; `faasade-core` re-exports
//! [`Capability`] from here.

use std::fmt;

/// One capability of the neutral API. Each target declares which it supports; using one it
/// lacks fails with an error that names the target and the capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `Context::var`.
    Vars,
    /// `Context::secret`.
    Secrets,
    /// `Context::kv`.
    Kv,
    /// `Context::fetch`.
    Fetch,
    /// `Context::wait_until`.
    WaitUntil,
    /// JSON event functions invoked by non-HTTP triggers.
    Events,
}

impl Capability {
    /// Every capability, in table order.
    pub const ALL: [Capability; 6] = [
        Capability::Vars,
        Capability::Secrets,
        Capability::Kv,
        Capability::Fetch,
        Capability::WaitUntil,
        Capability::Events,
    ];

    /// The name used in errors and docs (`"kv"`, `"wait_until"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::Vars => "vars",
            Capability::Secrets => "secrets",
            Capability::Kv => "kv",
            Capability::Fetch => "fetch",
            Capability::WaitUntil => "wait_until",
            Capability::Events => "events",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a target offers a capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Offered, and covered by the target's conformance run.
    Yes,
    /// Not offered: using it is an error naming the target and the capability. The reason says why.
    No(&'static str),
}

/// The platforms a target's feature may be built for, as cargo's `cfg` values tell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Any native (non-WebAssembly) platform.
    Native,
    /// Any Linux platform.
    Linux,
    /// WebAssembly with this `target_os` and `target_env` (`""` for none).
    Wasm {
        /// `target_os`, e.g. `"unknown"`, `"wasi"`.
        os: &'static str,
        /// `target_env`, e.g. `"p1"`, `"p2"`, `""`.
        env: &'static str,
    },
}

impl Platform {
    /// Whether a build for this `target_family` list, `target_os` and `target_env` is one.
    pub fn matches(self, family: &str, os: &str, env: &str) -> bool {
        let wasm = family.split(',').any(|f| f == "wasm");
        match self {
            Platform::Native => !wasm,
            Platform::Linux => os == "linux",
            Platform::Wasm { os: o, env: e } => wasm && os == o && env == e,
        }
    }
}

/// One build target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Name used in errors, by the CLI and by the `--features` flag (`"local"` needs no
    /// feature).
    pub name: &'static str,
    /// The provider, as the CLI's help shows it.
    pub provider: &'static str,
    /// The cargo feature that selects it.
    pub feature: Option<&'static str>,
    /// The Rust target triple it builds for, as the support table shows it.
    pub rust_target: &'static str,
    /// Where its feature may be built: a build elsewhere is a compile error.
    pub platform: Platform,
    /// What a build on the wrong platform is told: how the target builds, with the command.
    pub wrong_platform: &'static str,
    /// The deployable artifact `cargo faasade build` writes to `dist/<target>/`.
    pub artifact: &'static str,
    /// The real runtime its conformance suite runs on.
    pub tested_on: &'static str,
    /// Each capability, offered or not (with the reason).
    pub support: &'static [(Capability, Support)],
}

impl Target {
    /// How this target handles `capability` (`None` when the registry does not say).
    pub fn supports(&self, capability: Capability) -> Option<Support> {
        self.support
            .iter()
            .find(|(c, _)| *c == capability)
            .map(|(_, s)| *s)
    }
}

use Capability::*;
use Support::*;

/// All targets, local first.
pub const TARGETS: &[Target] = &[
    Target {
        name: "local",
        provider: "the local dev server (hyper)",
        feature: None,
        rust_target: "native",
        platform: Platform::Native,
        wrong_platform: "builds for this machine",
        artifact: "the server binary",
        tested_on: "its own server (hyper), started as a process",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (Events, Yes),
        ],
    },
    Target {
        name: "aws",
        provider: "AWS Lambda",
        feature: Some("aws"),
        rust_target: "x86_64/aarch64-unknown-linux-gnu",
        platform: Platform::Native,
        wrong_platform: "builds for Linux (x86_64 or aarch64), not WebAssembly: `cargo lambda build --release --features aws`",
        artifact: "`bootstrap.zip` and a SAM `template.yaml`",
        tested_on: "cargo-lambda's Runtime API emulator (Function URL) + AWS sample events",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (
                Kv,
                No("Lambda has no built-in key-value service; no backend is wired in yet"),
            ),
            (Fetch, Yes),
            (
                WaitUntil,
                No("Lambda freezes the process once the response is returned"),
            ),
            (Events, Yes),
        ],
    },
    Target {
        name: "cloudflare",
        provider: "Cloudflare Workers",
        feature: Some("cloudflare"),
        rust_target: "wasm32-unknown-unknown",
        platform: Platform::Wasm {
            os: "unknown",
            env: "",
        },
        wrong_platform: "builds for wasm32-unknown-unknown: `worker-build --release --features cloudflare`",
        artifact: "`build/worker/shim.mjs` and its wasm, `wrangler.toml`",
        tested_on: "workerd (wrangler dev, local KV)",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (
                Events,
                No(
                    "Queue and Cron Trigger events are not wired yet; event functions take JSON by POST",
                ),
            ),
        ],
    },
    Target {
        name: "fastly",
        provider: "Fastly Compute",
        feature: Some("fastly"),
        rust_target: "wasm32-wasip1",
        platform: Platform::Wasm {
            os: "wasi",
            env: "p1",
        },
        wrong_platform: "builds for wasm32-wasip1: `cargo build --release --target wasm32-wasip1 --features fastly`",
        artifact: "`bin/main.wasm`, `fastly.toml`, `pkg/<name>.tar.gz`",
        tested_on: "Viceroy (config, secret and KV stores, the backends of `[upstreams]`)",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (
                Events,
                No("Fastly Compute is invoked by HTTP only; event functions take JSON by POST"),
            ),
        ],
    },
    Target {
        name: "spin",
        provider: "Fermyon Spin",
        feature: Some("spin"),
        rust_target: "wasm32-wasip2",
        platform: Platform::Wasm {
            os: "wasi",
            env: "p2",
        },
        wrong_platform: "builds for wasm32-wasip2: `cargo build --release --target wasm32-wasip2 --features spin`",
        artifact: "a WASI 0.3 component and `spin.toml`",
        tested_on: "wasmtime serve (no Spin interfaces: vars from the environment, no KV) + Faasade's Wasm host (spin:variables, spin:key-value)",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (
                Events,
                No(
                    "Spin's Redis and cron triggers are not wired yet; event functions take JSON by POST",
                ),
            ),
        ],
    },
    Target {
        name: "openwhisk",
        provider: "Apache OpenWhisk",
        feature: Some("openwhisk"),
        rust_target: "x86_64-unknown-linux-musl",
        platform: Platform::Linux,
        wrong_platform: "builds a static Linux binary: `cargo build --release --target x86_64-unknown-linux-musl --features openwhisk`",
        artifact: "`action.zip` (its `exec`) and a wskdeploy `manifest.yaml`",
        tested_on: "its static binary run as OpenWhisk's actionloop and dockerskeleton proxies run it, behind a front that maps HTTP to raw web actions as the controller does (no OpenWhisk deployment runs here)",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (
                Kv,
                No("OpenWhisk has no built-in key-value service; no backend is wired in yet"),
            ),
            (Fetch, Yes),
            (
                WaitUntil,
                No("OpenWhisk pauses the container once the result is returned"),
            ),
            (Events, Yes),
        ],
    },
    Target {
        name: "wasi",
        provider: "any wasi:http host",
        feature: Some("wasi"),
        rust_target: "wasm32-wasip2",
        platform: Platform::Wasm {
            os: "wasi",
            env: "p2",
        },
        wrong_platform: "builds for wasm32-wasip2: `cargo build --release --target wasm32-wasip2 --features wasi`",
        artifact: "a wasi:http 0.2 proxy component",
        tested_on: "wasmtime serve (vars from the environment)",
        support: &[
            (Vars, Yes),
            (Secrets, Yes),
            (
                Kv,
                No("wasi:http hosts offer no standard key-value interface a proxy may count on"),
            ),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (
                Events,
                No("a wasi:http proxy is invoked by HTTP only; event functions take JSON by POST"),
            ),
        ],
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The README's support table, as Markdown.
pub fn support_table() -> String {
    let mut out = String::from("| target | feature | builds for | artifact | tested on |");
    for c in Capability::ALL {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str("\n|---|---|---|---|---|");
    out.push_str(&"---|".repeat(Capability::ALL.len()));
    out.push('\n');
    let mut reasons = Vec::new();
    for t in TARGETS {
        let feature = t.feature.map_or("(none)".to_owned(), |f| format!("`{f}`"));
        out.push_str(&format!(
            "| {} | {feature} | {} | {} | {} |",
            t.name, t.rust_target, t.artifact, t.tested_on
        ));
        for c in Capability::ALL {
            let cell = match t.supports(c) {
                None => "?".to_owned(),
                Some(Yes) => "yes".to_owned(),
                Some(No(reason)) => {
                    reasons.push(format!("- {} / {c}: {reason}", t.name));
                    format!("no [{}]", reasons.len())
                }
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    if !reasons.is_empty() {
        out.push('\n');
        out.push_str(&reasons.join("\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_says_how_it_handles_every_capability() {
        for t in TARGETS {
            for c in Capability::ALL {
                assert!(t.supports(c).is_some(), "{} says nothing of {c}", t.name);
            }
            assert_eq!(t.support.len(), Capability::ALL.len(), "{}", t.name);
        }
    }

    #[test]
    fn names_are_unique_and_features_are_the_names() {
        for (i, t) in TARGETS.iter().enumerate() {
            assert!(
                TARGETS[i + 1..].iter().all(|o| o.name != t.name),
                "{} twice",
                t.name
            );
            match t.feature {
                Some(f) => assert_eq!(f, t.name),
                None => assert_eq!(t.name, "local", "only the local target needs no feature"),
            }
        }
    }

    #[test]
    fn platforms_match_what_cargo_reports() {
        let (cloudflare, fastly, spin) = (
            target("cloudflare").unwrap(),
            target("fastly").unwrap(),
            target("spin").unwrap(),
        );
        assert!(cloudflare.platform.matches("wasm", "unknown", ""));
        assert!(!cloudflare.platform.matches("wasm", "wasi", "p1"));
        assert!(fastly.platform.matches("wasm", "wasi", "p1"));
        assert!(!fastly.platform.matches("unix", "linux", "gnu"));
        assert!(spin.platform.matches("wasm", "wasi", "p2"));
        let openwhisk = target("openwhisk").unwrap();
        assert!(openwhisk.platform.matches("unix", "linux", "musl"));
        assert!(!openwhisk.platform.matches("wasm", "wasi", "p1"));
        assert!(target("aws").unwrap().platform.matches("unix", "macos", ""));
        assert!(
            !target("aws")
                .unwrap()
                .platform
                .matches("wasm", "unknown", "")
        );
    }
}
