//! The examples, built and run the way a user runs them, answer over HTTP.

use faasade_suite::process;

use std::process::Command;
use std::time::Duration;

use process::{Process, cargo_build, scratch, workspace};

/// Start example `name` with its own folder as the working directory plus `env`.
fn run_example(name: &str, env: &[(&str, &str)]) -> (Process, String) {
    let exe = cargo_build(name, &[]).unwrap();
    let data = scratch(&format!("example-{name}")).unwrap();
    let mut command = Command::new(exe);
    command
        .current_dir(workspace().join("examples").join(name))
        .env("PORT", "0")
        .env("FAASADE_DATA_DIR", data)
        .env_remove("GREETING");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut process = Process::spawn(command).unwrap();
    let url = process
        .wait_for("listening on ", Duration::from_secs(60))
        .unwrap();
    let url = url.split_whitespace().next().unwrap().to_owned();
    (process, url)
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[test]
fn hello_reads_its_faasade_toml_and_the_environment_wins() {
    let (server, url) = run_example("hello", &[]);
    assert_eq!(
        client()
            .get(format!("{url}/world"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "hello from faasade /world\n"
    );
    server.terminate(Duration::from_secs(15)).unwrap();

    let (server, url) = run_example("hello", &[("GREETING", "hi from env")]);
    assert_eq!(
        client()
            .get(format!("{url}/x"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "hi from env /x\n"
    );
    server.terminate(Duration::from_secs(15)).unwrap();
}

#[test]
fn axum_router_runs_unchanged() {
    let (server, url) = run_example("axum-router", &[("GREETING", "hey")]);
    let c = client();
    assert_eq!(
        c.get(&url).send().unwrap().text().unwrap(),
        "axum on faasade\n"
    );
    let body = c
        .get(format!("{url}/hello/ada?shout=true"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "message": "HEY, ADA", "target": "local" })
    );
    assert_eq!(c.get(format!("{url}/nope")).send().unwrap().status(), 404);
    server.terminate(Duration::from_secs(15)).unwrap();
}

#[test]
fn event_example_answers_posted_events() {
    let (server, url) = run_example("event", &[]);
    let c = client();
    let order = r#"{"order_id":"o-1","items":[{"sku":"a","qty":2,"unit_cents":150},{"sku":"b","qty":1,"unit_cents":99}]}"#;
    let body = c.post(&url).body(order).send().unwrap().text().unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "order_id": "o-1", "total_cents": 399, "lines": 2, "handled_by": "local" })
    );
    let empty = c
        .post(&url)
        .body(r#"{"order_id":"o-2","items":[]}"#)
        .send()
        .unwrap();
    assert_eq!(empty.status(), 400);
    assert_eq!(empty.text().unwrap(), "an order needs at least one item\n");
    server.terminate(Duration::from_secs(15)).unwrap();
}
