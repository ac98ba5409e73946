//! js/glue.js, the JavaScript half of the request and response mapping, run in Node: the
//! request target keeps the raw path and query and drops the scheme, host and fragment; the
//! head carries every header value; the `cf` fields come on their own, when asked for.

use std::process::Command;

/// Node from the test command's npm folder (`FAASADE_NPM`), else the one on `PATH`.
fn node() -> Command {
    let cached = std::env::var_os("FAASADE_NPM")
        .map(|npm| std::path::PathBuf::from(npm).join("node_modules/.bin/node"))
        .filter(|node| node.exists());
    Command::new(cached.unwrap_or_else(|| "node".into()))
}

/// `script`, an ES module, run by Node with `args`; its standard output (it must succeed).
fn run_module(script: &str, args: &[&str]) -> Vec<u8> {
    let out = node()
        .args(["--input-type=module", "-e", script])
        .args(args)
        .output()
        .expect("node is needed (the test command installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_request_target_is_taken_raw_from_the_url() {
    let glue = concat!(env!("CARGO_MANIFEST_DIR"), "/js/glue.js");
    let script = format!(
        "import {{ requestTarget }} from {glue:?};\n\
         for (const url of process.argv.slice(1)) console.log(requestTarget(url));"
    );
    let urls = [
        "http://127.0.0.1:8787/a%2Fb/caf%C3%A9?x=1&x=2&y=%20#frag",
        "https://example.com",
        "https://example.com?q=1",
        "http://h/p/../q?a=b/c#x/y",
        "/already/a/target?x",
    ];
    let targets: Vec<String> = String::from_utf8(run_module(&script, &urls))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        targets,
        [
            "/a%2Fb/caf%C3%A9?x=1&x=2&y=%20",
            "/",
            "/?q=1",
            "/p/../q?a=b/c",
            "/already/a/target?x",
        ]
    );
}

#[test]
fn the_head_carries_the_headers_and_cf_is_read_on_its_own() {
    let glue = concat!(env!("CARGO_MANIFEST_DIR"), "/js/glue.js");
    let script = format!(
        "import {{ faasade_request_head, faasade_request_cf }} from {glue:?};\n\
         const req = {{\n\
           method: 'POST',\n\
           url: 'https://example.com/a%20b?q=1#f',\n\
           headers: new Headers([['x-one', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]),\n\
           cf: {{ country: 'DE', clientIp: '[2001:db8::1]:443', city: '', asn: 13335, colo: null }},\n\
         }};\n\
         process.stdout.write(JSON.stringify([faasade_request_head(req), \
           faasade_request_cf(req), faasade_request_cf({{}})]));"
    );
    let [head, cf, none]: [String; 3] = serde_json::from_slice(&run_module(&script, &[])).unwrap();
    assert_eq!(
        head,
        "POST\n/a%20b?q=1\nset-cookie:a=1\nset-cookie:b=2\nx-one:1\n"
    );
    assert_eq!(cf, "country=DE\nasn=13335\nclientIp=[2001:db8::1]:443\n");
    assert_eq!(none, "", "no cf object, no fields");
}
