//! Apache OpenWhisk: a static `x86_64-unknown-linux-musl` binary zipped as `action.zip`'s
//! `exec` (a native action) with a wskdeploy `manifest.yaml`; `dev` runs it as the actionloop
//! proxy does, behind an HTTP front that turns requests into raw web-action activations as the
//! controller does (`faasade-openwhisk-host`).

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use faasade_openwhisk_host::{WebFront, exec_from_zip};

use faasade_tooling::build::Options;
use faasade_tooling::dev::{self, DevOptions, InProcess, Server};
use faasade_tooling::manifest::{App, GENERATED, Manifest, yaml_str};
use faasade_tooling::project::Project;
use faasade_tooling::status;
use faasade_tooling::tools::{self, Tool};
use faasade_tooling::{Need, Tooling, need_rust_target};

/// musl-gcc, which compiles the C in rustls' `ring` for the static OpenWhisk binary.
pub const MUSL_GCC: Tool = Tool {
    name: "musl-gcc",
    env: "FAASADE_MUSL_GCC",
    cached: "bin/musl-gcc",
    install: "apt-get install musl-tools (Debian, Ubuntu)",
};

/// The `openwhisk` target.
pub struct OpenWhisk;

impl Tooling for OpenWhisk {
    fn name(&self) -> &'static str {
        "openwhisk"
    }

    fn needs(&self) -> Vec<Need> {
        vec![
            Need::RustTarget(self.target().rust_target),
            Need::Tool(MUSL_GCC),
        ]
    }

    fn manifests(&self, app: &App, _: Options) -> Result<Vec<Manifest>> {
        Ok(vec![openwhisk_manifest(app)?])
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        let triple = self.target().rust_target;
        need_rust_target(self, triple)?;
        let release: &[&str] = if options.release { &["--release"] } else { &[] };
        let more = [
            "--target",
            triple,
            "--features",
            "openwhisk",
            "--bin",
            &project.app.package,
        ];
        let files = project
            .cargo_build(&[release, &more].concat(), "bin")
            .map_err(|e| {
                if tools::locate(&MUSL_GCC).is_none() {
                    e.context(format!(
                        "the `openwhisk` target's static build compiles C (rustls' ring) with musl-gcc, which is not installed: `{}`",
                        MUSL_GCC.install
                    ))
                } else {
                    e
                }
            })?;
        let exec = std::fs::read(&files[0])?;
        let path = dist.join("action.zip");
        let mut zip = zip::ZipWriter::new(File::create(&path)?);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o755);
        zip.start_file("exec", options)?;
        zip.write_all(&exec)?;
        zip.finish()?;
        Ok(path)
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        dev::serve_builds(project, self, options, |artifact, served| {
            let exec = exec_from_zip(artifact, served).map_err(anyhow::Error::msg)?;
            let config = &project.app.config.file;
            let front = WebFront::serve_app(
                &exec,
                &config.secrets,
                &config.vars,
                &format!("127.0.0.1:{}", options.port),
                true,
            )
            .map_err(anyhow::Error::msg)?;
            status::line(
                "Serving",
                &format!("{} (a raw web action; Ctrl-C stops)", front.url),
            );
            Ok(Server::InProcess(Box::new(Front(front))))
        })
    }
}

/// The action behind the controller-like front, served from this process.
struct Front(WebFront);

impl InProcess for Front {
    fn wait(&self) {
        self.0.wait();
    }

    fn stop(self: Box<Self>) {
        let _ = self.0.stop();
    }
}

/// An OpenWhisk manifest.yaml (wskdeploy): the zipped static `exec` as a native action, a raw
/// web action for HTTP apps; vars as inputs (default parameters), secrets as inputs taken
/// from the deploying shell's environment; schedules as alarm triggers with rules (an app
/// with schedules is an event function, so it is not a web action).
pub fn openwhisk_manifest(app: &App) -> Result<Manifest> {
    app.refuse_kv("openwhisk", "OpenWhisk has no built-in key-value service")?;
    let c = &app.config;
    let mut y = String::new();
    let _ = writeln!(y, "# {GENERATED}");
    let _ = writeln!(
        y,
        "# Deploy from this folder after `cargo faasade build openwhisk`: `wskdeploy -m manifest.yaml`."
    );
    let name = yaml_str(&c.name);
    let _ = writeln!(
        y,
        "packages:\n  {name}:\n    actions:\n      {name}:\n        function: action.zip\n        native: true"
    );
    if !app.is_event_app() {
        y.push_str("        web: raw\n");
    }
    y.push_str("        limits:\n          timeout: 60000\n          memorySize: 128\n");
    if !c.file.vars.is_empty() || !c.file.secrets.is_empty() {
        y.push_str("        inputs:\n");
        for (k, v) in &c.file.vars {
            let _ = writeln!(y, "          {k}: {}", yaml_str(v));
        }
        for k in c.file.secrets.keys() {
            let _ = writeln!(y, "          {k}: {}", yaml_str(&format!("${k}")));
        }
    }
    if app.is_event_app() {
        y.push_str("    triggers:\n");
        for s in &c.file.schedules {
            let _ = writeln!(
                y,
                "      {}:\n        feed: /whisk.system/alarms/alarm\n        inputs:\n          cron: {}",
                yaml_str(&s.name),
                yaml_str(&s.cron)
            );
        }
        y.push_str("    rules:\n");
        for s in &c.file.schedules {
            let _ = writeln!(
                y,
                "      {}:\n        trigger: {}\n        action: {name}",
                yaml_str(&format!("{}-rule", s.name)),
                yaml_str(&s.name)
            );
        }
    }
    Ok(Manifest {
        file: "manifest.yaml",
        text: y,
        notes: app.routes_note(
            "openwhisk",
            "map the domains to the web action's URL (API Gateway)",
        ),
    })
}
