//! AWS Lambda: a `bootstrap` built by cargo-lambda (zig cross-compiles it for Graviton or
//! x86-64), zipped, with a SAM `template.yaml`; `dev` is cargo-lambda's Runtime API emulator
//! (`cargo lambda watch`), which rebuilds on change by itself.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use faasade_tooling::build::Options;
use faasade_tooling::dev::DevOptions;
use faasade_tooling::manifest::{self, App, GENERATED, Manifest, yaml_str};
use faasade_tooling::project::{Project, run};
use faasade_tooling::{Need, Tooling, copy_into};
use faasade_tooling::{status, tools};

/// cargo-lambda (builds Lambda zips with zig, serves the Runtime API emulator).
pub const CARGO_LAMBDA: tools::Tool = tools::Tool {
    name: "cargo-lambda",
    env: "FAASADE_CARGO_LAMBDA",
    cached: "venv/bin/cargo-lambda",
    install: "pip install cargo-lambda==1.9.2",
};

pub use faasade_tooling::build::Arch;

/// The `aws` target.
pub struct Aws;

impl Tooling for Aws {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn needs(&self) -> Vec<Need> {
        vec![
            Need::RustTarget(Arch::Arm64.rust_target()),
            Need::RustTarget(Arch::X86_64.rust_target()),
            Need::Tool(CARGO_LAMBDA),
        ]
    }

    fn manifests(&self, app: &App, options: Options) -> Result<Vec<Manifest>> {
        Ok(vec![sam_template(app, options.arch)?])
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        let lambda_dir = dist.join("lambda");
        let mut command = cargo_lambda()?;
        command
            .args(["lambda", "build"])
            .args(options.release.then_some("--release"))
            .arg(format!("--{}", options.arch.name().replace('_', "-")))
            .args([
                "--features",
                "aws",
                "--output-format",
                "zip",
                "--lambda-dir",
            ])
            .arg(&lambda_dir)
            .args(["--bin", &project.app.package])
            .current_dir(&project.dir);
        run(&mut command, "cargo lambda build")?;
        let zip = lambda_dir.join(&project.app.package).join("bootstrap.zip");
        let artifact = copy_into(&zip, dist, "bootstrap.zip")?;
        std::fs::remove_dir_all(&lambda_dir).ok();
        Ok(artifact)
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        let mut command = cargo_lambda()?;
        command
            .args(["lambda", "watch", "--features", "aws"])
            .args(options.build.release.then_some("--release"))
            .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(options.port.to_string())
            .current_dir(&project.dir);
        // cargo-lambda hands its own environment to the function; values on its command line
        // would show in `ps`.
        command.envs(manifest::environment(&project.app));
        status::line(
            "Serving",
            &format!(
                "http://127.0.0.1:{}/lambda-url/{}/",
                options.port, project.app.package
            ),
        );
        run(&mut command, "cargo lambda watch")
    }
}

/// The cached cargo-lambda, ready to run (`zig`, installed beside it, on its `PATH`).
pub fn cargo_lambda() -> Result<Command> {
    let cargo_lambda = tools::find(&CARGO_LAMBDA, "aws")?;
    let beside = cargo_lambda.parent().unwrap_or(Path::new("."));
    let mut command = Command::new(&cargo_lambda);
    command.env("PATH", tools::path_with(&[beside]));
    Ok(command)
}

/// `GREETING` → `Greeting`, `API_TOKEN` → `ApiToken`.
fn pascal(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A five-field cron in EventBridge's six-field form: `?` in one of the day fields, a year.
fn eventbridge_cron(cron: &str) -> String {
    let f: Vec<&str> = cron.split_whitespace().collect();
    let (dom, dow) = if f[4] == "*" {
        (f[2], "?")
    } else {
        ("?", f[4])
    };
    format!("cron({} {} {dom} {} {dow} *)", f[0], f[1], f[3])
}

/// An AWS SAM template.yaml: the function (custom runtime, `bootstrap.zip` beside it) with a
/// Function URL and an HTTP API, vars as parameters with defaults, secrets as `NoEcho`
/// parameters, both in the environment; schedules as EventBridge schedules (an app with
/// schedules is an event function, so it gets no HTTP front).
pub fn sam_template(app: &App, arch: Arch) -> Result<Manifest> {
    app.refuse_kv("aws", "Lambda has no built-in key-value service")?;
    let c = &app.config;
    let mut y = String::new();
    let _ = writeln!(y, "# {GENERATED}");
    let _ = writeln!(
        y,
        "# Deploy from this folder after `cargo faasade build aws`: `sam deploy --guided`."
    );
    y.push_str("AWSTemplateFormatVersion: \"2010-09-09\"\n");
    y.push_str("Transform: AWS::Serverless-2016-10-31\n");
    let _ = writeln!(
        y,
        "Description: {}",
        yaml_str(&format!("{}, a Faasade app on AWS Lambda", c.name))
    );
    let params: Vec<(String, &String, Option<&String>)> = c
        .file
        .vars
        .iter()
        .map(|(k, v)| (format!("Var{}", pascal(k)), k, Some(v)))
        .chain(
            c.file
                .secrets
                .keys()
                .map(|k| (format!("Secret{}", pascal(k)), k, None)),
        )
        .collect();
    if !params.is_empty() {
        y.push_str("\nParameters:\n");
        for (param, name, default) in &params {
            let _ = writeln!(y, "  {param}:\n    Type: String");
            match default {
                Some(value) => {
                    let _ = writeln!(y, "    Default: {}", yaml_str(value));
                    let _ = writeln!(
                        y,
                        "    Description: {}",
                        yaml_str(&format!("The {name} var (cx.var)."))
                    );
                }
                None => {
                    let _ = writeln!(y, "    NoEcho: true");
                    let _ = writeln!(
                        y,
                        "    Description: {}",
                        yaml_str(&format!("The {name} secret (cx.secret)."))
                    );
                }
            }
        }
    }
    y.push_str("\nResources:\n  App:\n    Type: AWS::Serverless::Function\n    Properties:\n");
    let _ = writeln!(y, "      FunctionName: {}", yaml_str(&c.name));
    y.push_str("      CodeUri: bootstrap.zip\n      Handler: bootstrap\n");
    y.push_str("      Runtime: provided.al2023\n");
    let _ = writeln!(y, "      Architectures:\n        - {}", arch.name());
    y.push_str("      Timeout: 30\n      MemorySize: 128\n");
    if !params.is_empty() {
        y.push_str("      Environment:\n        Variables:\n");
        for (param, name, _) in &params {
            let _ = writeln!(y, "          {name}: !Ref {param}");
        }
    }
    if app.is_event_app() {
        y.push_str("      Events:\n");
        for s in &c.file.schedules {
            let _ = writeln!(
                y,
                "        Schedule{}:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: {}",
                pascal(&s.name.replace('-', "_")),
                yaml_str(&eventbridge_cron(&s.cron))
            );
        }
    } else {
        y.push_str("      FunctionUrlConfig:\n        AuthType: NONE\n");
        y.push_str("      Events:\n        Http:\n          Type: HttpApi\n");
        y.push_str("\nOutputs:\n  FunctionUrl:\n    Description: The Function URL endpoint.\n");
        y.push_str("    Value: !GetAtt AppUrl.FunctionUrl\n");
        y.push_str("  HttpApiUrl:\n    Description: The HTTP API (v2) endpoint.\n");
        y.push_str("    Value: !Sub \"https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/\"\n");
    }
    Ok(Manifest {
        file: "template.yaml",
        text: y,
        notes: app.routes_note(
            "aws",
            "add a custom domain to the HTTP API (API Gateway domain names)",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_crons_convert() {
        assert_eq!(pascal("API_TOKEN"), "ApiToken");
        assert_eq!(pascal("greeting"), "Greeting");
        assert_eq!(eventbridge_cron("0 3 * * *"), "cron(0 3 * * ? *)");
        assert_eq!(eventbridge_cron("15 10 * * MON"), "cron(15 10 ? * MON *)");
    }
}
