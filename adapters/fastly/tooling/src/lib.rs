//! Fastly Compute: a `wasm32-wasip1` program as `bin/main.wasm`, a `fastly.toml` (with the
//! same stores and backends for Viceroy under `[local_server]`) and the package `fastly
//! compute deploy` takes; `dev` is Viceroy.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use toml::{Table, Value};

use faasade_tooling::build::{Options, relative};
use faasade_tooling::dev::{self, DevOptions, Server};
use faasade_tooling::manifest::{App, GENERATED, Manifest, table, toml_text};
use faasade_tooling::project::Project;
use faasade_tooling::status;
use faasade_tooling::tools::{self, Tool};
use faasade_tooling::{Need, Tooling, build_wasm, copy_into};

/// Viceroy, Fastly's local Compute runtime.
pub const VICEROY: Tool = Tool {
    name: "viceroy",
    env: "FAASADE_VICEROY",
    cached: "cargo/bin/viceroy",
    install: "cargo install viceroy --version 0.22.0 --locked",
};

/// The `fastly` target.
pub struct Fastly;

impl Tooling for Fastly {
    fn name(&self) -> &'static str {
        "fastly"
    }

    fn needs(&self) -> Vec<Need> {
        vec![
            Need::RustTarget(self.target().rust_target),
            Need::Tool(VICEROY),
        ]
    }

    fn manifests(&self, app: &App, _: Options) -> Result<Vec<Manifest>> {
        Ok(vec![fastly_toml(app)?])
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        let wasm = build_wasm(
            self,
            project,
            options,
            &["--bin", &project.app.package],
            "bin",
        )?;
        std::fs::create_dir_all(dist.join("bin"))?;
        copy_into(&wasm, &dist.join("bin"), "main.wasm")
    }

    /// `pkg/<name>.tar.gz` as `fastly compute pack` lays it out: `<name>/bin/main.wasm` and
    /// `<name>/fastly.toml`.
    fn bundle(&self, project: &Project, dist: &Path) -> Result<()> {
        let name = &project.app.config.name;
        std::fs::create_dir_all(dist.join("pkg"))?;
        let path = dist.join("pkg").join(format!("{name}.tar.gz"));
        let gz =
            flate2::write::GzEncoder::new(File::create(&path)?, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        tar.append_path_with_name(dist.join("bin/main.wasm"), format!("{name}/bin/main.wasm"))?;
        tar.append_path_with_name(dist.join("fastly.toml"), format!("{name}/fastly.toml"))?;
        tar.into_inner()?.finish()?;
        status::line("Packed", &relative(&project.dir, &path));
        Ok(())
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        dev::serve_builds(project, self, options, |artifact, served| {
            let addr = format!("127.0.0.1:{}", options.port);
            let mut command = Command::new(tools::find(&VICEROY, self.name())?);
            command
                .arg("-C")
                .arg(served.join("fastly.toml"))
                .args(["--addr", &addr])
                .arg(artifact)
                .envs(&project.app.config.file.secrets);
            status::line("Serving", &format!("http://{addr}/"));
            Server::spawn(command)
        })
    }
}

/// fastly.toml for Fastly Compute: vars in the config store `vars`, secrets in the secret
/// store `secrets`, each KV store under its name, a backend per upstream named after its
/// authority (the name the adapter looks up); and the same for Viceroy under `[local_server]`,
/// where each secret's local value is read from the environment variable of its name, so no
/// value is written into the package.
pub fn fastly_toml(app: &App) -> Result<Manifest> {
    app.refuse_schedules("fastly", "Fastly Compute is invoked by HTTP only")?;
    let c = &app.config;
    let vars = || {
        table(
            c.file
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
        )
    };
    let mut setup = Table::new();
    let items = c.file.vars.iter().map(|(k, v)| {
        (
            k.clone(),
            Value::Table(table([("value".into(), Value::String(v.clone()))])),
        )
    });
    setup.insert(
        "config_stores".into(),
        Value::Table(table([(
            "vars".into(),
            Value::Table(table([("items".into(), Value::Table(table(items)))])),
        )])),
    );
    let mut local = Table::new();
    local.insert(
        "config_stores".into(),
        Value::Table(table([(
            "vars".into(),
            Value::Table(table([
                ("format".into(), "inline-toml".into()),
                ("contents".into(), Value::Table(vars())),
            ])),
        )])),
    );
    if !c.file.secrets.is_empty() {
        let entries = c.file.secrets.keys().map(|k| {
            let description = format!("read with cx.secret(\"{k}\")");
            (
                k.clone(),
                Value::Table(table([("description".into(), Value::String(description))])),
            )
        });
        setup.insert(
            "secret_stores".into(),
            Value::Table(table([(
                "secrets".into(),
                Value::Table(table([("entries".into(), Value::Table(table(entries)))])),
            )])),
        );
        // fastly.toml goes into the published package: Viceroy reads each local value from
        // the environment variable of the secret's name, which `dev` sets.
        let local_secrets = c.file.secrets.keys().map(|k| {
            Value::Table(table([
                ("key".into(), Value::String(k.clone())),
                ("env".into(), Value::String(k.clone())),
            ]))
        });
        local.insert(
            "secret_stores".into(),
            Value::Table(table([(
                "secrets".into(),
                Value::Array(local_secrets.collect()),
            )])),
        );
    }
    if !c.kv_stores().is_empty() {
        let stores = || {
            c.kv_stores()
                .iter()
                .map(|s| (s.clone(), Value::Table(Table::new())))
        };
        setup.insert("kv_stores".into(), Value::Table(table(stores())));
        let empty = c
            .kv_stores()
            .iter()
            .map(|s| (s.clone(), Value::Array(Vec::new())));
        local.insert("kv_stores".into(), Value::Table(table(empty)));
    }
    if !c.file.upstreams.is_empty() {
        let backends = c.file.upstreams.values().map(|u| {
            (
                u.authority(),
                Value::Table(table([
                    ("address".into(), Value::String(u.host.clone())),
                    ("port".into(), Value::Integer(i64::from(u.effective_port()))),
                ])),
            )
        });
        setup.insert("backends".into(), Value::Table(table(backends)));
        let local_backends = c.file.upstreams.values().map(|u| {
            (
                u.authority(),
                Value::Table(table([("url".into(), Value::String(u.origin()))])),
            )
        });
        local.insert("backends".into(), Value::Table(table(local_backends)));
    }
    let root = table([
        ("manifest_version".into(), Value::Integer(3)),
        ("name".into(), Value::String(c.name.clone())),
        ("language".into(), "rust".into()),
        ("service_id".into(), "".into()),
        ("setup".into(), Value::Table(setup)),
        ("local_server".into(), Value::Table(local)),
    ]);
    let header = format!(
        "{GENERATED}\nDeploy from this folder after `cargo faasade build fastly`: `fastly compute deploy --package pkg/{}.tar.gz`.\nRun locally: `viceroy -C fastly.toml bin/main.wasm` (or `cargo faasade dev fastly`).",
        c.name
    );
    Ok(Manifest {
        file: "fastly.toml",
        text: toml_text(&header, root),
        notes: app.routes_note("fastly", "add the domains to the service"),
    })
}
