//! `cargo faasade`: the command line. See the library's documentation for what each
//! subcommand does.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_faasade::build::{self, Options};
use cargo_faasade::dev::DevOptions;
use cargo_faasade::project::Project;
use cargo_faasade::targets::{self, Tooling, aws::Arch};
use cargo_faasade::{dev, doctor, new, status};
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Cargo runs `cargo-faasade faasade <args>` for `cargo faasade <args>`.
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum Cargo {
    Faasade(Cli),
}

/// Scaffold, build, run and package a Faasade app for any target.
#[derive(Args)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an app from a template.
    New {
        /// The app's name (a cargo package name).
        name: String,
        /// What the app starts as.
        #[arg(long, short, default_value = "http", value_parser = ["http", "json-event", "axum", "kv"])]
        template: String,
        /// Depend on the Faasade checkout at this path (default: the one this tool was built
        /// from, if it is still there; else crates.io).
        #[arg(long)]
        faasade_path: Option<PathBuf>,
    },
    /// Build the app for a target, and its deployable artifact under dist/<target>/.
    Build {
        /// The target to build for.
        target: TargetArg,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Run the app locally: the dev server, or a target's build in that target's local runtime.
    Dev {
        /// A target to run in its own local runtime (default: the local dev server).
        #[arg(default_value = "local")]
        target: TargetArg,
        #[command(flatten)]
        build: BuildArgs,
        /// The port to serve on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Serve the build as it is: no rebuild and restart when the app's sources change.
        #[arg(long)]
        no_watch: bool,
    },
    /// Write a target's provider manifest from faasade.toml into dist/<target>/.
    Package {
        /// The target whose manifest to write.
        target: TargetArg,
        /// The Lambda architecture (aws).
        #[arg(long, value_enum, default_value = "arm64")]
        arch: ArchArg,
    },
    /// Show which tools each target needs, which are here, and how to get the rest.
    Doctor {
        /// Only these targets (default: all).
        targets: Vec<TargetArg>,
    },
    /// Print the shell completion script for `cargo faasade` (e.g. `cargo faasade completions
    /// bash > ~/.local/share/bash-completion/completions/cargo-faasade`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct BuildArgs {
    /// Build with the release profile.
    #[arg(long, short)]
    release: bool,
    /// The Lambda architecture (aws).
    #[arg(long, value_enum, default_value = "arm64")]
    arch: ArchArg,
    /// The app's folder (default: the current one or the nearest above with a Cargo.toml).
    #[arg(long)]
    path: Option<PathBuf>,
}

/// A target from the registry: `--help` lists them all, with their providers, and shell
/// completion offers them.
#[derive(Clone, Copy)]
struct TargetArg(&'static dyn Tooling);

impl ValueEnum for TargetArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<TargetArg>> =
            std::sync::LazyLock::new(|| targets::ALL.iter().map(|t| TargetArg(*t)).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(self.0.target().provider))
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ArchArg {
    Arm64,
    #[value(name = "x86_64")]
    X86_64,
}

impl From<ArchArg> for Arch {
    fn from(a: ArchArg) -> Self {
        match a {
            ArchArg::Arm64 => Arch::Arm64,
            ArchArg::X86_64 => Arch::X86_64,
        }
    }
}

fn project(path: Option<PathBuf>) -> anyhow::Result<Project> {
    let start = match path {
        Some(p) => p,
        None => std::env::current_dir()?,
    };
    Project::find(&start)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::New {
            name,
            template,
            faasade_path,
        } => {
            let source = new::Source::pick(faasade_path)?;
            let dir = new::new(&std::env::current_dir()?, &name, &template, &source)?;
            status::line(
                "Next",
                &format!(
                    "cd {} && cargo faasade dev",
                    dir.file_name().unwrap_or_default().to_string_lossy()
                ),
            );
        }
        Command::Build { target, build } => {
            let project = project(build.path)?;
            let options = Options {
                release: build.release,
                arch: build.arch.into(),
            };
            build::build(&project, target.0, options)?;
        }
        Command::Dev {
            target,
            build,
            port,
            no_watch,
        } => {
            let project = project(build.path)?;
            let options = DevOptions {
                build: Options {
                    release: build.release,
                    arch: build.arch.into(),
                },
                port,
                watch: !no_watch,
            };
            dev::dev(&project, target.0, options)?;
        }
        Command::Package { target, arch } => {
            let project = project(None)?;
            let options = Options {
                release: false,
                arch: arch.into(),
            };
            build::package(&project, target.0, options)?;
        }
        Command::Doctor { targets } => {
            let chosen: Vec<&dyn Tooling> = if targets.is_empty() {
                cargo_faasade::targets::ALL.to_vec()
            } else {
                targets.iter().map(|t| t.0).collect()
            };
            let (report, ready) = doctor::report(&chosen);
            print!("{report}");
            if !ready {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Completions { shell } => {
            let mut command = <Cargo as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "cargo", &mut std::io::stdout());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let Cargo::Faasade(cli) = Cargo::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
