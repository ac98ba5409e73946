//! `cargo faasade doctor`: what each target needs, what is here, and how to get the rest.

use crate::tools::{self, Tool};

/// One requirement of a target.
enum Need {
    RustTarget(&'static str),
    Tool(Tool),
}

/// Each target's requirements; `None` for a name the registry does not know.
fn needs(target: &str) -> Option<Vec<Need>> {
    use Need::*;
    Some(match target {
        "local" => vec![],
        "aws" => vec![
            RustTarget("aarch64-unknown-linux-gnu"),
            RustTarget("x86_64-unknown-linux-gnu"),
            Tool(tools::CARGO_LAMBDA),
        ],
        "cloudflare" => vec![
            RustTarget("wasm32-unknown-unknown"),
            Tool(tools::WORKER_BUILD),
            Tool(tools::WASM_BINDGEN),
            Tool(tools::WRANGLER),
        ],
        "fastly" => vec![RustTarget("wasm32-wasip1"), Tool(tools::VICEROY)],
        "spin" | "wasi" => vec![RustTarget("wasm32-wasip2"), Tool(tools::WASM_HOST)],
        "openwhisk" => vec![
            RustTarget("x86_64-unknown-linux-musl"),
            Tool(tools::MUSL_GCC),
        ],
        _ => return None,
    })
}

/// A report line per requirement; whether everything is present.
pub fn report(targets: &[&str]) -> (String, bool) {
    let mut out = String::new();
    let mut all = true;
    for target in targets {
        let Some(needs) = needs(target) else {
            out.push_str(&format!("{target}: unknown target\n"));
            all = false;
            continue;
        };
        if needs.is_empty() {
            out.push_str(&format!("{target}: ready (cargo alone)\n"));
            continue;
        }
        let mut lines = Vec::new();
        let mut ready = true;
        for need in needs {
            let (what, found, how) = match need {
                Need::RustTarget(triple) => (
                    format!("Rust target {triple}"),
                    tools::has_rust_target(triple).then(|| "installed".to_owned()),
                    format!("rustup target add {triple}"),
                ),
                Need::Tool(tool) => (
                    tool.name.to_owned(),
                    tools::locate(&tool).map(|p| p.display().to_string()),
                    install_command(&tool),
                ),
            };
            match found {
                Some(at) => lines.push(format!("  ok       {what}: {at}")),
                None => {
                    ready = false;
                    lines.push(format!("  missing  {what}: {how}"));
                }
            }
        }
        all &= ready;
        let state = if ready { "ready" } else { "not ready" };
        out.push_str(&format!("{target}: {state}\n"));
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
    }
    (out, all)
}

/// How to install `tool`; the Faasade checkout this `cargo-faasade` was built from, when it is
/// still there, filled in for the tools installed from one.
fn install_command(tool: &Tool) -> String {
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match checkout.canonicalize() {
        Ok(root) if root.join("hosts").is_dir() => tool
            .install
            .replace("<faasade checkout>", &root.display().to_string()),
        _ => tool.install.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_target_in_the_registry_has_its_needs() {
        for t in faasade_targets::TARGETS {
            assert!(
                super::needs(t.name).is_some(),
                "doctor knows nothing of `{}`",
                t.name
            );
        }
    }
}
