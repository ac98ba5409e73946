//! The request target Fastly's adapter (Rust) and Cloudflare's glue (JavaScript, run in Node)
//! take from the URL their runtime hands over: for every URL, both give the same path and
//! query, byte for byte.
#![no_main]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;

/// One Node process for the whole run, loading adapters/cloudflare/js/glue.js: a line of JSON
/// (the URL) in, a line of JSON (its target) out.
struct Glue {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

static GLUE: Mutex<Option<Glue>> = Mutex::new(None);

fn node() -> String {
    match std::env::var("FAASADE_NPM") {
        Ok(npm) => format!("{npm}/node_modules/.bin/node"),
        Err(_) => "node".to_owned(),
    }
}

fn start() -> Glue {
    let glue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../adapters/cloudflare/js/glue.js"
    );
    let script = format!(
        "const {{ requestTarget }} = await import({glue:?});\n\
         const rl = (await import('node:readline')).createInterface({{ input: process.stdin }});\n\
         for await (const line of rl) console.log(JSON.stringify(requestTarget(JSON.parse(line))));"
    );
    let mut child = Command::new(node())
        .args(["--input-type=module", "-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (FAASADE_NPM names the test command's Node)");
    let stdin = child.stdin.take().expect("piped");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    Glue {
        _child: child,
        stdin,
        stdout,
    }
}

fn js_target(url: &str) -> String {
    let mut slot = GLUE.lock().unwrap();
    let glue = slot.get_or_insert_with(start);
    let line = serde_json::to_string(url).unwrap();
    writeln!(glue.stdin, "{line}").expect("write to node");
    let mut answer = String::new();
    glue.stdout.read_line(&mut answer).expect("read from node");
    serde_json::from_str(&answer).expect("node answers a JSON string")
}

fuzz_target!(|url: &str| {
    // What runtimes hand over is one line of text: the glue reads line by line.
    if url.contains(['\n', '\r']) || url.contains('\u{2028}') || url.contains('\u{2029}') {
        return;
    }
    let rust = faasade_core::origin_form(url);
    let js = js_target(url);
    assert_eq!(rust, js, "for {url:?}");
});
