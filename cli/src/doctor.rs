//! `cargo faasade doctor`: what each target needs, what is here, and how to get the rest.

use crate::targets::{Need, Tooling};
use crate::tools::{self, Tool};

/// A report line per requirement; whether everything is present.
pub fn report(targets: &[&dyn Tooling]) -> (String, bool) {
    let mut out = String::new();
    let mut all = true;
    for tooling in targets {
        let target = tooling.name();
        let needs = tooling.needs();
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
