//! A `wasm32-wasip2` component, built from the app's library and served by Faasade's Wasm
//! host: the `wasi` and `spin` targets deploy one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::dev::{self, DevOptions, Server};
use crate::tools::{self, Tool};
use crate::{Need, Options, Project, Tooling, build_wasm, copy_into, manifest};

/// Faasade's local Wasm host (Spin's interfaces, any wasi:http component).
pub const WASM_HOST: Tool = Tool {
    name: "faasade-wasm-host",
    env: "FAASADE_WASM_HOST",
    cached: "cargo/bin/faasade-wasm-host",
    install: "cargo install --locked --path <faasade checkout>/hosts/wasm-host",
};

/// What a target built as a `wasm32-wasip2` component needs: the Rust target and the Wasm host.
pub fn component_needs(tooling: &dyn Tooling) -> Vec<Need> {
    vec![
        Need::RustTarget(tooling.target().rust_target),
        Need::Tool(WASM_HOST),
    ]
}

/// The app's library built as a component, `<crate>.wasm` in `dist`.
pub fn build_component(
    tooling: &dyn Tooling,
    project: &Project,
    dist: &Path,
    options: Options,
) -> Result<PathBuf> {
    let wasm = build_wasm(tooling, project, options, &["--lib"], "cdylib")?;
    copy_into(&wasm, dist, &format!("{}.wasm", project.app.crate_name()))
}

/// The component served by the Wasm host, allowed to reach the app's upstreams; vars and
/// secrets as environment variables when `environment` (Spin apps read them as variables).
pub fn serve_component(
    tooling: &dyn Tooling,
    project: &Project,
    options: DevOptions,
    environment: bool,
) -> Result<()> {
    dev::serve_builds(project, tooling, options, |artifact, _| {
        let mut command = Command::new(tools::find(&WASM_HOST, tooling.name())?);
        command
            .arg("serve")
            .arg(artifact)
            .arg("--app")
            .arg(&project.dir)
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", options.port));
        for upstream in project.app.config.file.upstreams.values() {
            command.arg("--allow-outbound").arg(format!(
                "{}:{}",
                upstream.host,
                upstream.effective_port()
            ));
        }
        if environment {
            // Values go through the host's environment, not its command line, which any
            // local user can read (`ps`).
            for (k, v) in manifest::environment(&project.app) {
                command.arg("--env").arg(&k).env(&k, v);
            }
        }
        Server::spawn(command)
    })
}
