//! `cargo faasade build <target>`: the exact build each target needs, then the provider's
//! deployable artifact and its manifest under `dist/<target>/`.
//!
//! | target | build | `dist/<target>/` |
//! |---|---|---|
//! | local | `cargo build` | the server binary |
//! | aws | `cargo lambda build --arm64 --output-format zip --features aws` | `bootstrap.zip`, `template.yaml` |
//! | cloudflare | `worker-build --features cloudflare` | `build/` (shim.mjs + wasm), `wrangler.toml`, `.dev.vars` |
//! | fastly | `cargo build --target wasm32-wasip1 --features fastly --bin` | `bin/main.wasm`, `fastly.toml`, `pkg/<name>.tar.gz` |
//! | spin | `cargo build --target wasm32-wasip2 --features spin --lib` | `<crate>.wasm`, `spin.toml` |
//! | wasi | `cargo build --target wasm32-wasip2 --features wasi --lib` | `<crate>.wasm` |
//! | openwhisk | `cargo build --target x86_64-unknown-linux-musl --features openwhisk --bin` | `action.zip` (`exec`), `manifest.yaml` |

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::manifest::{self, Arch};
use crate::project::{Project, check_target, run};
use crate::{status, tools};

/// How to build.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `--release`.
    pub release: bool,
    /// The Lambda architecture (aws only).
    pub arch: Arch,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Built {
    /// `dist/<target>`.
    pub dist: PathBuf,
    /// The main artifact in it.
    pub artifact: PathBuf,
}

/// Build `target` and write its artifact and manifests to `dist/<target>/`.
pub fn build(project: &Project, target: &str, options: Options) -> Result<Built> {
    check_target(target)?;
    // Manifests first: a setting the target cannot carry out fails before a long build.
    let manifests = manifest::for_target(&project.app, target, options.arch)?;
    let profile = if options.release { "release" } else { "debug" };
    status::line(
        "Building",
        &format!("{} for {target} ({profile})", project.app.package),
    );
    let dist = project.fresh_dist(target)?;
    let release: &[&str] = if options.release { &["--release"] } else { &[] };
    let package = project.app.package.as_str();
    let artifact = match target {
        "local" => copy_into(&project.build_bin(options.release)?, &dist, package)?,
        "aws" => build_aws(project, &dist, options)?,
        "cloudflare" => build_cloudflare(project, &dist, options.release)?,
        "fastly" => {
            tools::need_rust_target("wasm32-wasip1", target)?;
            let args = [
                release,
                &[
                    "--target",
                    "wasm32-wasip1",
                    "--features",
                    "fastly",
                    "--bin",
                    package,
                ],
            ]
            .concat();
            let files = project.cargo_build(&args, "bin")?;
            let wasm = files
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "wasm"))
                .context("the fastly build produced no .wasm")?;
            std::fs::create_dir_all(dist.join("bin"))?;
            copy_into(wasm, &dist.join("bin"), "main.wasm")?
        }
        "spin" | "wasi" => {
            tools::need_rust_target("wasm32-wasip2", target)?;
            let args = [
                release,
                &["--target", "wasm32-wasip2", "--features", target, "--lib"],
            ]
            .concat();
            let files = project.cargo_build(&args, "cdylib")?;
            let wasm = files
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "wasm"))
                .with_context(|| format!("the {target} build produced no .wasm"))?;
            copy_into(wasm, &dist, &format!("{}.wasm", project.app.crate_name()))?
        }
        "openwhisk" => build_openwhisk(project, &dist, release)?,
        _ => unreachable!("checked above"),
    };
    write_manifests(project, target, &dist, &manifests)?;
    if target == "fastly" {
        fastly_package(project, &dist)?;
    }
    status::line(
        "Finished",
        &format!("{target}: {}", relative(&project.dir, &artifact)),
    );
    Ok(Built { dist, artifact })
}

/// `cargo faasade package <target>`: the manifests alone, into `dist/<target>/`.
pub fn package(project: &Project, target: &str, arch: Arch) -> Result<Vec<PathBuf>> {
    check_target(target)?;
    if target == "local" {
        bail!("the `local` target has no provider manifest: faasade.toml is its configuration");
    }
    let manifests = manifest::for_target(&project.app, target, arch)?;
    if manifests.is_empty() {
        bail!(
            "the `{target}` target has no manifest: a wasi:http host takes the component alone (`cargo faasade build {target}`)"
        );
    }
    let dist = project.dir.join("dist").join(target);
    std::fs::create_dir_all(&dist)?;
    write_manifests(project, target, &dist, &manifests)
}

fn write_manifests(
    project: &Project,
    target: &str,
    dist: &Path,
    manifests: &[manifest::Manifest],
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for m in manifests {
        let path = dist.join(m.file);
        std::fs::write(&path, &m.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        status::line("Generated", &relative(&project.dir, &path));
        for note in &m.notes {
            status::note(note);
        }
        written.push(path);
    }
    if target == "cloudflare" && !project.app.config.file.secrets.is_empty() {
        let path = dist.join(".dev.vars");
        std::fs::write(&path, manifest::dev_vars(&project.app))?;
        written.push(path);
    }
    Ok(written)
}

fn build_aws(project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
    let lambda_dir = dist.join("lambda");
    let mut command = tools::cargo_lambda()?;
    command
        .args(["lambda", "build"])
        .args(options.release.then_some("--release"))
        .arg(match options.arch {
            Arch::Arm64 => "--arm64",
            Arch::X86_64 => "--x86-64",
        })
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

fn build_cloudflare(project: &Project, dist: &Path, release: bool) -> Result<PathBuf> {
    tools::need_rust_target("wasm32-unknown-unknown", "cloudflare")?;
    worker_build(
        &project.dir,
        &dist.join("build"),
        release,
        &["--features", "cloudflare"],
    )
}

/// `worker-build [--release] --out-dir <out> <args>` on the package in `dir`, with the tools
/// Faasade pins: the wasm-bindgen CLI at the library's exact version, and binaryen's wasm-opt
/// and esbuild from `PATH` or the npm tools folder (`$FAASADE_NPM`, else `npm` in the cache)
/// instead of worker-build's own downloads. The Worker's entry, `<out>/worker/shim.mjs`.
pub fn worker_build(dir: &Path, out: &Path, release: bool, args: &[&str]) -> Result<PathBuf> {
    let worker_build = tools::find(&tools::WORKER_BUILD, "cloudflare")?;
    let wasm_bindgen = tools::find(&tools::WASM_BINDGEN, "cloudflare")?;
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

fn build_openwhisk(project: &Project, dist: &Path, release: &[&str]) -> Result<PathBuf> {
    const TRIPLE: &str = "x86_64-unknown-linux-musl";
    tools::need_rust_target(TRIPLE, "openwhisk")?;
    let args = [
        release,
        &[
            "--target",
            TRIPLE,
            "--features",
            "openwhisk",
            "--bin",
            &project.app.package,
        ],
    ]
    .concat();
    let files = project.cargo_build(&args, "bin").map_err(|e| {
        if tools::locate(&tools::MUSL_GCC).is_none() {
            e.context(format!(
                "the `openwhisk` target's static build compiles C (rustls' ring) with musl-gcc, which is not installed: `{}`",
                tools::MUSL_GCC.install
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

/// `pkg/<name>.tar.gz` as `fastly compute pack` lays it out: `<name>/bin/main.wasm` and
/// `<name>/fastly.toml`.
fn fastly_package(project: &Project, dist: &Path) -> Result<PathBuf> {
    let name = &project.app.config.name;
    std::fs::create_dir_all(dist.join("pkg"))?;
    let path = dist.join("pkg").join(format!("{name}.tar.gz"));
    let gz = flate2::write::GzEncoder::new(File::create(&path)?, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_path_with_name(dist.join("bin/main.wasm"), format!("{name}/bin/main.wasm"))?;
    tar.append_path_with_name(dist.join("fastly.toml"), format!("{name}/fastly.toml"))?;
    tar.into_inner()?.finish()?;
    status::line("Packed", &relative(&project.dir, &path));
    Ok(path)
}

fn copy_into(from: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    let to = dir.join(name);
    std::fs::copy(from, &to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(to)
}

/// `path` relative to `base` when it is inside it.
pub fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
