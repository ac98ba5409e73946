//! `cargo faasade dev [<target>]`: run the app locally. Without a target, the local dev server
//! (`cargo run`). With one, the built artifact in that target's own local runtime, so that
//! provider behaviour shows before deploying:
//!
//! | target | runtime |
//! |---|---|
//! | aws | cargo-lambda's Runtime API emulator (`cargo lambda watch`), Function URL at `/lambda-url/<app>/` |
//! | cloudflare | workerd, through `wrangler dev` (local KV kept in `.faasade/wrangler`) |
//! | fastly | Viceroy, with the generated fastly.toml's stores and backends |
//! | spin, wasi | Faasade's Wasm host (Spin's variables and key-value on the local KV store) |
//! | openwhisk | the static binary run as OpenWhisk's actionloop proxy runs it, behind an HTTP front that maps requests to raw web-action activations as the controller does |

use std::process::Command;

use anyhow::{Context as _, Result};

use crate::build::{self, Options};
use crate::manifest;
use crate::openwhisk::{ActionLoop, WebFront};
use crate::project::{Project, check_target, run};
use crate::{status, tools};

/// Serve the app for `target` on 127.0.0.1 until interrupted.
pub fn dev(project: &Project, target: &str, options: Options, port: u16) -> Result<()> {
    check_target(target)?;
    let app = &project.app;
    let addr = format!("127.0.0.1:{port}");
    match target {
        "local" => {
            let mut command = Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()));
            command
                .arg("run")
                .args(options.release.then_some("--release"))
                .args(["--bin", &app.package])
                .current_dir(&project.dir)
                .env("PORT", port.to_string());
            run(&mut command, "the local dev server")
        }
        "aws" => {
            let mut command = tools::cargo_lambda()?;
            command
                .args(["lambda", "watch", "--features", "aws"])
                .args(options.release.then_some("--release"))
                .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
                .arg(port.to_string())
                .current_dir(&project.dir);
            for (k, v) in manifest::environment(app) {
                command.arg("--env-var").arg(format!("{k}={v}"));
            }
            status::line(
                "Serving",
                &format!("http://{addr}/lambda-url/{}/", app.package),
            );
            run(&mut command, "cargo lambda watch")
        }
        "cloudflare" => {
            let built = build::build(project, target, options)?;
            let wrangler = tools::find(&tools::WRANGLER, target)?;
            let node_bin = wrangler
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default();
            let mut command = Command::new(&wrangler);
            // Local Workers KV lives with the app's other local data, not in dist/, which
            // every build empties.
            command
                .args(["dev", "--ip", "127.0.0.1", "--port"])
                .arg(port.to_string())
                .arg("--persist-to")
                .arg(project.dir.join(".faasade/wrangler"))
                .current_dir(&built.dist)
                .env("PATH", tools::path_with(&[&node_bin]))
                .env("WRANGLER_SEND_METRICS", "false");
            run(&mut command, "wrangler dev")
        }
        "fastly" => {
            let built = build::build(project, target, options)?;
            let viceroy = tools::find(&tools::VICEROY, target)?;
            let mut command = Command::new(&viceroy);
            command
                .arg("-C")
                .arg(built.dist.join("fastly.toml"))
                .args(["--addr", &addr])
                .arg(&built.artifact);
            status::line("Serving", &format!("http://{addr}/"));
            run(&mut command, "viceroy")
        }
        "spin" | "wasi" => {
            let built = build::build(project, target, options)?;
            let host = tools::find(&tools::WASM_HOST, target)?;
            let mut command = Command::new(&host);
            command
                .arg("serve")
                .arg(&built.artifact)
                .arg("--app")
                .arg(&project.dir)
                .args(["--addr", &addr]);
            for upstream in app.config.upstreams.values() {
                command.arg("--allow-outbound").arg(format!(
                    "{}:{}",
                    upstream.host,
                    upstream.effective_port()
                ));
            }
            if target == "wasi" {
                for (k, v) in manifest::environment(app) {
                    command.arg("--env").arg(format!("{k}={v}"));
                }
            }
            run(&mut command, "faasade-wasm-host")
        }
        "openwhisk" => {
            let built = build::build(project, target, options)?;
            let exec = unzip_exec(&built.artifact, &built.dist)?;
            // Secrets as /init's env, vars as the action's default parameters.
            let secrets: Vec<(String, String)> = app
                .config
                .secrets
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let action =
                ActionLoop::start_echoing(&exec, &secrets, true).map_err(anyhow::Error::msg)?;
            let defaults = app
                .config
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            let front = WebFront::start_on(action, defaults, &addr).map_err(anyhow::Error::msg)?;
            status::line(
                "Serving",
                &format!("{} (a raw web action; Ctrl-C stops)", front.url),
            );
            front.wait();
            Ok(())
        }
        _ => unreachable!("checked above"),
    }
}

/// The `exec` of an action zip, unpacked into `dir` (executable), as the proxy unpacks it.
pub fn unzip_exec(zip: &std::path::Path, dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip)?)?;
    let mut entry = archive
        .by_name("exec")
        .context("the action zip holds no exec")?;
    let path = dir.join("exec");
    let mut out = std::fs::File::create(&path)?;
    std::io::copy(&mut entry, &mut out)?;
    drop(out);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}
