//! Every target, what it supports, and what it is tested on — the one place the README's
//! support table is generated from (a test keeps the two equal).

use faasade_core::Capability;

/// Whether a target offers a capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Offered, and covered by the target's conformance run.
    Yes,
    /// Not offered: using it is an error naming the target and the capability. The reason says why.
    No(&'static str),
}

/// One build target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Name used in errors and by the `--features` flag (`"local"` needs no feature).
    pub name: &'static str,
    /// The cargo feature that selects it.
    pub feature: Option<&'static str>,
    /// The Rust target triple it builds for.
    pub rust_target: &'static str,
    /// The real runtime its conformance suite runs on.
    pub tested_on: &'static str,
    /// `None` while the adapter is not built yet.
    pub support: Option<&'static [(Capability, Support)]>,
}

impl Target {
    /// How this target handles `capability` (`None` while the target is not built).
    pub fn supports(&self, capability: Capability) -> Option<Support> {
        self.support?
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
        feature: None,
        rust_target: "native",
        tested_on: "its own server (hyper), started as a process",
        support: Some(&[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (Events, Yes),
        ]),
    },
    Target {
        name: "aws",
        feature: Some("aws"),
        rust_target: "x86_64/aarch64-unknown-linux-gnu",
        tested_on: "cargo-lambda's Runtime API emulator (Function URL) + AWS sample events",
        support: Some(&[
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
        ]),
    },
    Target {
        name: "cloudflare",
        feature: Some("cloudflare"),
        rust_target: "wasm32-unknown-unknown",
        tested_on: "workerd (wrangler dev, local KV)",
        support: Some(&[
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
        ]),
    },
    Target {
        name: "fastly",
        feature: Some("fastly"),
        rust_target: "wasm32-wasip1",
        tested_on: "Viceroy (config, secret and KV stores, dynamic backends)",
        support: Some(&[
            (Vars, Yes),
            (Secrets, Yes),
            (Kv, Yes),
            (Fetch, Yes),
            (WaitUntil, Yes),
            (
                Events,
                No("Fastly Compute is invoked by HTTP only; event functions take JSON by POST"),
            ),
        ]),
    },
    Target {
        name: "spin",
        feature: Some("spin"),
        rust_target: "wasm32-wasip2",
        tested_on: "wasmtime serve (no Spin interfaces: vars from the environment, no KV) + Faasade's Wasm host (spin:variables, spin:key-value)",
        support: Some(&[
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
        ]),
    },
    Target {
        name: "openwhisk",
        feature: Some("openwhisk"),
        rust_target: "x86_64-unknown-linux-musl",
        tested_on: "its static binary run as OpenWhisk's actionloop and dockerskeleton proxies run it, behind a front that maps HTTP to raw web actions as the controller does (no OpenWhisk deployment runs here)",
        support: Some(&[
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
        ]),
    },
    Target {
        name: "wasi",
        feature: Some("wasi"),
        rust_target: "wasm32-wasip2",
        tested_on: "wasmtime serve (vars from the environment)",
        support: Some(&[
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
        ]),
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The README's support table, as Markdown.
pub fn support_table() -> String {
    let mut out = String::from("| target | feature | builds for | tested on |");
    for c in Capability::ALL {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str("\n|---|---|---|---|");
    out.push_str(&"---|".repeat(Capability::ALL.len()));
    out.push('\n');
    let mut reasons = Vec::new();
    for t in TARGETS {
        let feature = t.feature.map_or("(none)".to_owned(), |f| format!("`{f}`"));
        out.push_str(&format!(
            "| {} | {feature} | {} | {} |",
            t.name, t.rust_target, t.tested_on
        ));
        for c in Capability::ALL {
            let cell = match t.supports(c) {
                None => "planned".to_owned(),
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
