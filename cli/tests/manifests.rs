//! Every provider manifest `cargo faasade package` writes, from two faasade.toml files (an
//! HTTP app with vars, secrets, KV, an upstream and a route; an event app with schedules):
//! compared with the committed snapshots in tests/snapshots (`FAASADE_BLESS=1` rewrites them
//! after a deliberate change), then checked by the providers' own tools where they run here:
//! cfn-lint on the SAM templates, PyYAML on the OpenWhisk manifests, and, in tests/e2e.rs,
//! `wrangler deploy --dry-run` and Viceroy on the files of a real build. Each generator lives
//! with the rest of its target's tooling, in `adapters/<target>/tooling`.

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_faasade::build::Options;
use cargo_faasade::config::AppConfig;
use cargo_faasade::manifest::App;
use cargo_faasade::targets::aws::{self, Arch};
use cargo_faasade::targets::{self, cloudflare, fastly, openwhisk, spin};
use cargo_faasade::tools;

const HTTP_APP: &str = r#"
name = "shop"
routes = ["shop.example.com/*"]

[vars]
GREETING = "hello \"quoted\" world"
PAGE_SIZE = "20"

[secrets]
API_TOKEN = "local-token"

[kv]
stores = ["default", "carts"]

[upstreams]
payments = "https://payments.example.com"
stock = "http://stock.internal:8080"
"#;

const EVENT_APP: &str = r#"
name = "reports"

[vars]
REGION = "eu"

[secrets]
DB_PASSWORD = "local-db-password"

[[schedules]]
name = "nightly"
cron = "0 3 * * *"

[[schedules]]
name = "mondays"
cron = "15 8 * * MON"
"#;

fn app(text: &str, package: &str) -> App {
    App {
        config: AppConfig::parse(text, package).unwrap(),
        package: package.to_owned(),
    }
}

/// An HTTP app without KV, which Lambda and OpenWhisk do not offer.
fn http_app_without_kv() -> App {
    let mut app = app(HTTP_APP, "shop");
    app.config.file.kv_stores = None;
    app
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// `text` must equal tests/snapshots/`name`; with `FAASADE_BLESS=1` it becomes it.
fn snapshot(name: &str, text: &str) {
    let path = snapshots().join(name);
    if std::env::var_os("FAASADE_BLESS").is_some() {
        std::fs::create_dir_all(snapshots()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (FAASADE_BLESS=1 writes it)", path.display()));
    assert_eq!(
        text, expected,
        "{name} changed; if that is meant, rerun with FAASADE_BLESS=1"
    );
}

#[test]
fn wrangler_toml() {
    let m = cloudflare::wrangler_toml(&app(HTTP_APP, "shop")).unwrap();
    snapshot("shop.wrangler.toml", &m.text);
    let t: toml::Table = m.text.parse().unwrap();
    assert_eq!(
        t["vars"]["GREETING"].as_str(),
        Some("hello \"quoted\" world")
    );
    assert_eq!(t["kv_namespaces"].as_array().unwrap().len(), 2);
    assert!(m.text.contains("wrangler secret put API_TOKEN"));
    assert_eq!(
        cloudflare::dev_vars(&app(HTTP_APP, "shop")),
        "API_TOKEN=\"local-token\"\n"
    );
}

#[test]
fn fastly_toml() {
    let m = fastly::fastly_toml(&app(HTTP_APP, "shop")).unwrap();
    snapshot("shop.fastly.toml", &m.text);
    let t: toml::Table = m.text.parse().unwrap();
    // The adapter looks backends up by the fetch URL's authority.
    assert_eq!(
        t["setup"]["backends"]["stock.internal:8080"]["port"].as_integer(),
        Some(8080)
    );
    assert_eq!(
        t["local_server"]["backends"]["payments.example.com"]["url"].as_str(),
        Some("https://payments.example.com")
    );
    assert!(m.notes.iter().any(|n| n.contains("shop.example.com")));
}

#[test]
fn spin_toml() {
    let m = spin::spin_toml(&app(HTTP_APP, "shop")).unwrap();
    snapshot("shop.spin.toml", &m.text);
    let t: toml::Table = m.text.parse().unwrap();
    assert_eq!(t["variables"]["api_token"]["secret"].as_bool(), Some(true));
    assert_eq!(
        t["component"]["shop"]["variables"]["page_size"].as_str(),
        Some("{{ page_size }}")
    );
    assert_eq!(t["component"]["shop"]["source"].as_str(), Some("shop.wasm"));
}

#[test]
fn sam_templates() {
    let http = aws::sam_template(&http_app_without_kv(), Arch::Arm64).unwrap();
    snapshot("shop.template.yaml", &http.text);
    let event = aws::sam_template(&app(EVENT_APP, "reports"), Arch::X86_64).unwrap();
    snapshot("reports.template.yaml", &event.text);
    assert!(event.text.contains("cron(15 8 ? * MON *)"));
    for m in [&http, &event] {
        cfn_lint(&m.text);
    }
}

#[test]
fn openwhisk_manifests() {
    let http = openwhisk::openwhisk_manifest(&http_app_without_kv()).unwrap();
    snapshot("shop.manifest.yaml", &http.text);
    let event = openwhisk::openwhisk_manifest(&app(EVENT_APP, "reports")).unwrap();
    snapshot("reports.manifest.yaml", &event.text);
    let http = yaml(&http.text);
    let action = &http["packages"]["shop"]["actions"]["shop"];
    assert_eq!(action["web"], "raw");
    assert_eq!(action["inputs"]["API_TOKEN"], "$API_TOKEN");
    let event = yaml(&event.text);
    let package = &event["packages"]["reports"];
    assert!(package["actions"]["reports"].get("web").is_none());
    assert_eq!(
        package["triggers"]["nightly"]["inputs"]["cron"],
        "0 3 * * *"
    );
    assert_eq!(package["rules"]["nightly-rule"]["action"], "reports");
}

#[test]
fn what_a_target_cannot_do_is_refused_by_name() {
    let kv = aws::sam_template(&app(HTTP_APP, "shop"), Arch::Arm64).unwrap_err();
    assert!(
        kv.to_string()
            .contains("the `aws` target does not support `kv`"),
        "{kv}"
    );
    let kv = openwhisk::openwhisk_manifest(&app(HTTP_APP, "shop")).unwrap_err();
    assert!(
        kv.to_string()
            .contains("`openwhisk` target does not support `kv`")
    );
    for (target, result) in [
        (
            "cloudflare",
            cloudflare::wrangler_toml(&app(EVENT_APP, "r")).map(|_| ()),
        ),
        (
            "fastly",
            fastly::fastly_toml(&app(EVENT_APP, "r")).map(|_| ()),
        ),
        ("spin", spin::spin_toml(&app(EVENT_APP, "r")).map(|_| ())),
        (
            "wasi",
            targets::get("wasi")
                .unwrap()
                .manifests(
                    &app(EVENT_APP, "r"),
                    Options {
                        release: false,
                        arch: Arch::Arm64,
                    },
                )
                .map(|_| ()),
        ),
    ] {
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "the `{target}` target does not support `schedules`"
            )),
            "{err}"
        );
    }
}

fn cfn_lint(template: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).unwrap();
    let lint = tools::venv_tool("cfn-lint");
    let out = Command::new(&lint)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run `bash scripts/test.sh`)", lint.display()));
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}\n{template}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn yaml(text: &str) -> serde_json::Value {
    let python = tools::venv_tool("python3");
    let mut child = Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "not YAML:\n{text}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Secrets' local values stay out of every file a target deploys. `.dev.vars` is the one file
/// meant to hold them: wrangler reads it for `wrangler dev` only and never uploads it.
#[test]
fn no_deployable_manifest_holds_a_secret_value() {
    let options = Options {
        release: true,
        arch: Arch::Arm64,
    };
    let mut checked = 0;
    for tooling in targets::ALL {
        for app in [
            app(HTTP_APP, "shop"),
            http_app_without_kv(),
            app(EVENT_APP, "reports"),
        ] {
            // A target refuses what it lacks (KV, schedules); the other app variants cover it.
            let Ok(manifests) = tooling.manifests(&app, options) else {
                continue;
            };
            for m in manifests.iter().filter(|m| m.file != ".dev.vars") {
                checked += 1;
                for value in app.config.file.secrets.values() {
                    assert!(
                        !m.text.contains(value.as_str()),
                        "{} {} holds the value of a secret:\n{}",
                        tooling.name(),
                        m.file,
                        m.text
                    );
                }
            }
        }
    }
    assert!(checked >= 6, "only {checked} manifests were checked");
}
