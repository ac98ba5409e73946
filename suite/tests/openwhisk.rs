//! The openwhisk target's binary, built as shipped (static, `x86_64-unknown-linux-musl`) and
//! driven exactly as OpenWhisk runs it (`faasade_openwhisk_host`): the actionloop proxy
//! (ack, one activation line on stdin, one result line on fd 3), the dockerskeleton proxy
//! (`argv[1]` or stdin, result on the last stdout line), with activations of the shapes
//! OpenWhisk sends for raw web actions (non-raw ones are refused) and plain actions. Then the deployable zip
//! and the wskdeploy manifest template.

use faasade_suite::process;

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use faasade_openwhisk_host::{self as driver, ActionLoop};
use serde_json::{Value, json};

fn exec(package: &str) -> PathBuf {
    process::cargo_build_openwhisk(package).unwrap_or_else(|e| panic!("{e}"))
}

/// A raw web action's parameters, as the controller sends them.
fn raw(method: &str, path: &str, query: &str, headers: Value, body: &str) -> Value {
    json!({
        "__ow_method": method,
        "__ow_headers": headers,
        "__ow_path": path,
        "__ow_query": query,
        "__ow_body": body,
        "GREETING": "hello from the action's parameters",
    })
}

fn get(path: &str) -> Value {
    raw("get", path, "", json!({"host": "example.test"}), "")
}

fn body_text(result: &Value) -> String {
    result["body"].as_str().unwrap_or_default().to_owned()
}

fn body_base64(result: &Value) -> Vec<u8> {
    BASE64
        .decode(result["body"].as_str().expect("a body"))
        .expect("base64")
}

#[test]
fn actionloop_acknowledges_then_serves_raw_web_activations() {
    let env = [("CONFORMANCE_SECRET".to_owned(), "from /init env".to_owned())];
    let mut action = ActionLoop::start(&exec("conformance"), &env, true).expect("started");

    let echo = action
        .run(raw(
            "get",
            "/echo",
            "x=1&y=two%20words",
            json!({"x-test": "abc", "x-forwarded-for": "198.51.100.1, 203.0.113.9"}),
            "",
        ))
        .unwrap();
    assert_eq!(echo["statusCode"], 200, "{echo}");
    assert_eq!(echo["headers"]["content-type"], "application/json");
    let seen: Value = serde_json::from_slice(&body_base64(&echo)).unwrap();
    assert_eq!(seen["method"], "GET");
    assert_eq!(seen["query"], "x=1&y=two%20words");
    assert_eq!(seen["x_test"], "abc");

    let bytes: Vec<u8> = (0..=255).collect();
    let binary = action
        .run(raw(
            "post",
            "/binary",
            "",
            json!({"content-type": "application/octet-stream"}),
            &BASE64.encode(&bytes),
        ))
        .unwrap();
    assert_eq!(body_base64(&binary), bytes);

    // Default parameters and /init's env both reach cx.var.
    let var = action.run(get("/var/GREETING")).unwrap();
    assert_eq!(body_text(&var), "hello from the action's parameters");
    let secret = action.run(get("/var/CONFORMANCE_SECRET")).unwrap();
    assert_eq!(body_text(&secret), "from /init env");

    // Every activation sets its own __OW_* variables.
    let first = action.run(get("/var/__OW_ACTIVATION_ID")).unwrap();
    let second = action.run(get("/var/__OW_ACTIVATION_ID")).unwrap();
    assert_eq!(body_text(&first).len(), 32, "{first}");
    assert_ne!(body_text(&first), body_text(&second));
    let namespace = action.run(get("/var/__OW_NAMESPACE")).unwrap();
    assert_eq!(body_text(&namespace), "guest");

    let meta = action.run(get("/meta")).unwrap();
    let meta: Value = serde_json::from_slice(&body_base64(&meta)).unwrap();
    assert_eq!(meta["target"], "openwhisk");
    assert_eq!(meta["request_id"].as_str().map(str::len), Some(32));

    let status = action.stop().expect("exits when stdin closes");
    assert!(status.success(), "{status}");
}

#[test]
fn without_an_ack_request_the_first_line_out_is_the_first_result() {
    let mut action = ActionLoop::start(&exec("conformance"), &[], false).expect("started");
    let root = action.run(get("/")).unwrap();
    assert_eq!(root["statusCode"], 200, "{root}");
    assert_eq!(body_text(&root), "faasade conformance");
}

#[test]
fn errors_panics_and_bad_lines_never_end_the_loop() {
    let mut action = ActionLoop::start(&exec("conformance"), &[], true).expect("started");

    for path in ["/error", "/panic"] {
        let failed = action.run(get(path)).unwrap();
        let response = &failed["error"];
        assert_eq!(response["statusCode"], 500, "{path}: {failed}");
        assert!(
            !failed.to_string().contains("secret-internal-detail"),
            "{failed}"
        );
    }
    for (line, says) in [
        (&b"this is not json"[..], "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"{\"value\": \"text\"}", "not a JSON object or array"),
    ] {
        let refused = action.run_line(line).unwrap();
        let message = refused["error"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{refused}");
    }
    let bad_method = action
        .run(raw("no such method", "/", "", json!({}), ""))
        .unwrap();
    assert_eq!(bad_method["statusCode"], 400, "{bad_method}");
    assert!(body_text(&bad_method).contains("__ow_method"));
    let plain = action.run(json!({"name": "Ada"})).unwrap();
    assert!(
        plain["error"]
            .as_str()
            .unwrap_or_default()
            .contains("--web raw"),
        "{plain}"
    );

    let root = action.run(get("/")).unwrap();
    assert_eq!(root["statusCode"], 200, "the loop keeps serving: {root}");
    for logged in ["secret-internal-detail", "activation refused"] {
        if let Err(e) = action.logs_containing(logged, Duration::from_secs(5)) {
            panic!("the cause is logged: {e}");
        }
    }
    assert!(!action.exited());
}

#[test]
fn non_raw_web_actions_are_refused_and_never_show_bound_parameters() {
    let mut action = ActionLoop::start(&exec("conformance"), &[], true).expect("started");
    // What the controller sends a non-raw web action: the request's JSON fields (`myName`,
    // `GREETING`) merged with the action's bound parameters (`API_TOKEN`).
    for (path, fields) in [
        ("/echo", json!({"myName": "Ada"})),
        ("/var/GREETING", json!({"GREETING": "set by the request"})),
    ] {
        let mut params = json!({
            "__ow_method": "post",
            "__ow_headers": {"content-type": "application/json"},
            "__ow_path": path,
            "API_TOKEN": "bound-secret-value",
        });
        params
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let refused = action.run(params).unwrap();
        let text = refused.to_string();
        assert!(
            refused["error"].as_str().unwrap().contains("--web raw"),
            "{text}"
        );
        assert!(!text.contains("bound-secret-value"), "{text}");
        assert!(!text.contains("set by the request"), "{text}");
    }

    // A raw web action's query is the request's, never a parameter.
    let var = action
        .run(raw(
            "get",
            "/var/GREETING",
            "GREETING=set%20by%20the%20request",
            json!({}),
            "",
        ))
        .unwrap();
    assert_eq!(body_text(&var), "hello from the action's parameters");
    assert!(!action.exited());
}

#[test]
fn event_actions_take_their_parameters_and_return_their_value() {
    let mut action = ActionLoop::start(&exec("event"), &[], true).expect("started");
    let order = json!({"order_id": "o-1", "items": [{"sku": "a", "qty": 2, "unit_cents": 150}]});
    let receipt = action.run(order.clone()).unwrap();
    assert_eq!(
        receipt,
        json!({"order_id": "o-1", "total_cents": 300, "lines": 1, "handled_by": "openwhisk"})
    );
    let empty = action.run(json!({"order_id": "o-2", "items": []})).unwrap();
    assert_eq!(empty, json!({"error": "an order needs at least one item"}));
    let malformed = action.run(json!({"nope": 1})).unwrap();
    assert!(malformed["error"].is_string(), "{malformed}");
    assert_eq!(action.run(order).unwrap(), receipt);
}

#[test]
fn native_mode_takes_argv_or_stdin_and_prints_the_result_last() {
    let conformance = exec("conformance");
    let (var, _) = driver::run_native(&conformance, &get("/var/GREETING"), &[]).unwrap();
    assert_eq!(body_text(&var), "hello from the action's parameters");

    // Past 131071 bytes the dockerskeleton proxy passes the parameters on stdin only.
    let big = "a".repeat(200_000);
    let params = raw(
        "post",
        "/len",
        "",
        json!({"content-type": "text/plain"}),
        &big,
    );
    let (len, _) = driver::run_native(&conformance, &params, &[]).unwrap();
    let len: Value = serde_json::from_slice(&body_base64(&len)).unwrap();
    assert_eq!(len["len"], 200_000);

    let (meta, _) = driver::run_native(&conformance, &get("/meta"), &[]).unwrap();
    let meta: Value = serde_json::from_slice(&body_base64(&meta)).unwrap();
    assert_eq!(meta["request_id"], "feedfacefeedfacefeedfacefeedface");

    let order = json!({"order_id": "o-9", "items": [{"sku": "b", "qty": 1, "unit_cents": 5}]});
    let (receipt, _) = driver::run_native(&exec("event"), &order, &[]).unwrap();
    assert_eq!(receipt["total_cents"], 5);

    let (refused, logs) = driver::run_native(&exec("event"), &json!([]), &[]).unwrap();
    assert!(refused["error"].is_string(), "{refused}\n{logs}");
}

/// ELF facts: 64-bit little-endian, its machine, and whether it asks for a dynamic loader
/// (a `PT_INTERP` program header).
fn elf_machine_and_interp(bytes: &[u8]) -> (u16, bool) {
    assert_eq!(&bytes[..4], b"\x7fELF", "an ELF file");
    assert_eq!(bytes[4], 2, "64-bit");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let phoff = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36) as usize, u16_at(0x38) as usize);
    let interp = (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) == 3
    });
    (u16_at(0x12), interp)
}

#[test]
fn the_action_zip_holds_a_static_exec_at_its_top() {
    let built = exec("hello");
    let dir = process::scratch("openwhisk-zip").unwrap();
    // The documented packaging: the binary as `exec`, zipped at the top.
    std::fs::copy(&built, dir.join("exec")).unwrap();
    let zipped = Command::new("zip")
        .args(["-q", "action.zip", "exec"])
        .current_dir(&dir)
        .status()
        .expect("zip (Debian's zip package; `bash scripts/test.sh` installs it)");
    assert!(zipped.success());

    let mut archive = zip::ZipArchive::new(std::fs::File::open(dir.join("action.zip")).unwrap())
        .expect("a zip archive");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a readable entry name").into_owned())
        .collect();
    assert_eq!(names, ["exec"], "the zip holds exactly `exec` at its top");
    let mut entry = archive.by_name("exec").unwrap();
    let mode = entry.unix_mode().expect("Unix permissions recorded");
    assert_ne!(mode & 0o111, 0, "exec is executable: {mode:o}");
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes, std::fs::read(&built).unwrap());
    let (machine, interp) = elf_machine_and_interp(&bytes);
    assert_eq!(machine, 62, "x86-64");
    assert!(
        !interp,
        "static: no dynamic loader, so it runs on glibc 2.23 and Alpine images"
    );

    // What OpenWhisk runs is the unzipped `exec`.
    let unzipped = dir.join("unzipped");
    std::fs::create_dir_all(&unzipped).unwrap();
    let exec_path = driver::exec_from_zip(&dir.join("action.zip"), &unzipped).unwrap();
    let mut action = ActionLoop::start(&exec_path, &[], true).expect("started");
    let mut params = get("/world");
    params["GREETING"] = "hello from faasade".into();
    let hello = action.run(params).unwrap();
    assert_eq!(body_text(&hello), "hello from faasade /world\n");
}

/// The manifest template as JSON, read by PyYAML from the tool cache's Python (installed with
/// cfn-lint by the test command).
fn manifest() -> Value {
    let python = cargo_faasade::tools::venv_tool("python3");
    let path = process::workspace().join("templates/openwhisk/manifest.yaml");
    let out = Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run `bash scripts/test.sh`)", python.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_manifest_template_deploys_the_zip_as_a_raw_web_action() {
    let m = manifest();
    let action = &m["packages"]["hello"]["actions"]["hello"];
    assert_eq!(action["function"], "action.zip");
    assert_eq!(action["native"], true);
    assert_eq!(action["web"], "raw");
    // Every var of the app is an input with its value.
    let config: toml::Table =
        std::fs::read_to_string(process::workspace().join("examples/hello/faasade.toml"))
            .unwrap()
            .parse()
            .unwrap();
    for (name, value) in config["vars"].as_table().unwrap() {
        assert_eq!(
            action["inputs"][name].as_str(),
            value.as_str(),
            "input {name}"
        );
    }
    let text =
        std::fs::read_to_string(process::workspace().join("templates/openwhisk/manifest.yaml"))
            .unwrap();
    assert!(
        text.contains(
            "cargo build --release --target x86_64-unknown-linux-musl --features openwhisk"
        )
    );
    assert!(text.contains("zip action.zip exec"));
}
