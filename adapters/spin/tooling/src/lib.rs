//! Fermyon Spin: a `wasm32-wasip2` component and a `spin.toml` (manifest version 2); `dev` is
//! Faasade's Wasm host, which gives the component Spin's variables and key-value interfaces.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use toml::{Table, Value};

use faasade_tooling::build::Options;
use faasade_tooling::component::{build_component, component_needs, serve_component};
use faasade_tooling::dev::DevOptions;
use faasade_tooling::manifest::{App, GENERATED, Manifest, strings, table, toml_text};
use faasade_tooling::project::Project;
use faasade_tooling::{Need, Tooling};

/// The `spin` target.
pub struct Spin;

impl Tooling for Spin {
    fn name(&self) -> &'static str {
        "spin"
    }

    fn needs(&self) -> Vec<Need> {
        component_needs(self)
    }

    fn manifests(&self, app: &App, _: Options) -> Result<Vec<Manifest>> {
        Ok(vec![spin_toml(app)?])
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        build_component(self, project, dist, options)
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        serve_component(self, project, options, false)
    }
}

/// spin.toml for Fermyon Spin (manifest version 2): every var and secret a Spin variable in
/// lower case (what `cx.var` asks for), declared and granted to the component; secrets
/// required and secret; KV stores and upstreams granted to the component.
pub fn spin_toml(app: &App) -> Result<Manifest> {
    app.refuse_schedules(
        "spin",
        "Spin's cron trigger is not wired to event functions yet",
    )?;
    let c = &app.config;
    let component = c.name.to_ascii_lowercase().replace('_', "-");
    let mut variables = Table::new();
    let mut granted = Table::new();
    let names = c.file.vars.keys().chain(c.file.secrets.keys());
    for name in names {
        let lower = name.to_ascii_lowercase();
        let declaration = match c.file.vars.get(name) {
            Some(value) => table([("default".into(), Value::String(value.clone()))]),
            None => table([
                ("required".into(), Value::Boolean(true)),
                ("secret".into(), Value::Boolean(true)),
            ]),
        };
        if variables
            .insert(lower.clone(), Value::Table(declaration))
            .is_some()
        {
            bail!("two vars or secrets are both `{lower}` in lower case, as Spin names variables");
        }
        granted.insert(lower.clone(), Value::String(format!("{{{{ {lower} }}}}")));
    }
    let mut spec = table([(
        "source".into(),
        Value::String(format!("{}.wasm", app.crate_name())),
    )]);
    if !c.file.upstreams.is_empty() {
        spec.insert(
            "allowed_outbound_hosts".into(),
            strings(c.file.upstreams.values().map(|u| u.origin())),
        );
    }
    if !c.kv_stores().is_empty() {
        spec.insert("key_value_stores".into(), strings(c.kv_stores().to_vec()));
    }
    if !granted.is_empty() {
        spec.insert("variables".into(), Value::Table(granted));
    }
    let mut root = table([
        ("spin_manifest_version".into(), Value::Integer(2)),
        (
            "application".into(),
            Value::Table(table([
                ("name".into(), Value::String(c.name.clone())),
                ("version".into(), "0.1.0".into()),
            ])),
        ),
    ]);
    if !variables.is_empty() {
        root.insert("variables".into(), Value::Table(variables));
    }
    let trigger = table([
        ("route".into(), "/...".into()),
        ("component".into(), Value::String(component.clone())),
    ]);
    root.insert(
        "trigger".into(),
        Value::Table(table([(
            "http".into(),
            Value::Array(vec![Value::Table(trigger)]),
        )])),
    );
    root.insert(
        "component".into(),
        Value::Table(table([(component, Value::Table(spec))])),
    );
    let mut header = format!(
        "{GENERATED}\nDeploy from this folder after `cargo faasade build spin`: `spin deploy` (or `spin up` locally)."
    );
    for name in c.file.secrets.keys() {
        let _ = write!(
            header,
            "\nSecret {name}: Spin variable `{}` (`SPIN_VARIABLE_{}=... spin up`, `spin cloud variables set`).",
            name.to_ascii_lowercase(),
            name.to_ascii_uppercase()
        );
    }
    Ok(Manifest {
        file: "spin.toml",
        text: toml_text(&header, root),
        notes: app.routes_note("spin", "map the domains to the app in your Spin platform"),
    })
}
