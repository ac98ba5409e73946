//! The cross-target conformance suite: the shared cases, sent to the conformance app running
//! on each target's real local runtime, with a target × case table at the end.
//!
//! `cargo test -p faasade-suite --test conformance` runs every target; `FAASADE_TARGETS=local,aws` picks some.

mod cases;
mod extras;
mod shims;
mod upstream;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use cases::{Answer, Case, CaseRequest};
use faasade::Capability;
use faasade::targets::{self, Support};
use shims::{Instance, Setup};

#[derive(Clone)]
enum Outcome {
    Pass,
    Fail(Vec<String>),
    /// The target does not offer the group's capability (checked to fail loudly).
    NotApplicable(&'static str),
}

fn main() -> ExitCode {
    let cases = match cases::load() {
        Ok(c) => c.cases,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let upstream = upstream::Upstream::start().expect("start the test upstream");
    let setup = Setup {
        upstream_url: upstream.url(),
        vars: vec![("GREETING", "hello from config".to_owned())],
    };
    let wanted: Option<Vec<String>> = std::env::var("FAASADE_TARGETS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let shims: Vec<_> = shims::all()
        .into_iter()
        .filter(|s| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|t| t == s.target() || t == s.label()))
        })
        .collect();
    if shims.is_empty() {
        eprintln!("conformance: FAASADE_TARGETS={wanted:?} names no target with a shim");
        return ExitCode::FAILURE;
    }

    let mut results: BTreeMap<&'static str, Vec<Outcome>> = BTreeMap::new();
    let mut order = Vec::new();
    let mut setup_failures = Vec::new();
    for shim in &shims {
        let target = shim.label();
        order.push(target);
        eprintln!("conformance: starting {target}");
        let outcomes = match shim.start(&setup) {
            Ok(instance) => {
                let outcomes = run_target(&**shim, &*instance, &cases);
                let extras_ran = shim.checks_extras();
                if extras_ran {
                    for problem in extras::check(shim.target(), instance.base_url()) {
                        setup_failures.push(format!("{target}: {problem}"));
                    }
                }
                // Every case has run, the secret's own among them: no runtime's output (its
                // logs and the app's) may show the value.
                let logs = instance.logs();
                for problem in extras::check_logs(shim.target(), extras_ran, &logs) {
                    setup_failures.push(format!("{target}: {problem}"));
                }
                if outcomes.iter().any(|o| matches!(o, Outcome::Fail(_))) {
                    eprintln!("---- {target} runtime output ----\n{logs}");
                }
                if let Err(e) = instance.stop() {
                    setup_failures.push(format!("{target}: stopping failed: {e}"));
                }
                outcomes
            }
            Err(e) => {
                setup_failures.push(format!("{target}: could not start: {e}"));
                vec![Outcome::Fail(vec!["target did not start".into()]); cases.len()]
            }
        };
        results.insert(target, outcomes);
    }

    print_table(&cases, &order, &results);
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (target, outcomes) in &results {
        for (case, outcome) in cases.iter().zip(outcomes) {
            match outcome {
                Outcome::Pass => passed += 1,
                Outcome::NotApplicable(_) => skipped += 1,
                Outcome::Fail(problems) => {
                    failed += 1;
                    println!(
                        "FAIL {target} / {}:\n  {}",
                        case.name,
                        problems.join("\n  ")
                    );
                }
            }
        }
    }
    for f in &setup_failures {
        println!("FAIL {f}");
    }
    failed += setup_failures.len();
    println!("\nconformance: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The capability a case group needs, if any.
fn capability_of(group: &str) -> Option<Capability> {
    match group {
        "vars" => Some(Capability::Vars),
        "kv" => Some(Capability::Kv),
        "fetch" => Some(Capability::Fetch),
        _ => None,
    }
}

fn run_target(shim: &dyn shims::Shim, instance: &dyn Instance, cases: &[Case]) -> Vec<Outcome> {
    let target = shim.target();
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client");
    let info = targets::target(target);
    cases
        .iter()
        .map(|case| {
            if let Some(reason) = shim.not_on_this_runtime(&case.group) {
                return Outcome::NotApplicable(reason);
            }
            let capability = capability_of(&case.group);
            let support = capability.and_then(|c| info.and_then(|t| t.supports(c)));
            if let (Some(Support::No(reason)), Some(capability)) = (support, capability) {
                // Unsupported must fail loudly: a 5xx for the client, a log line naming both.
                return match refused(&client, instance, case, target, capability) {
                    Ok(()) => Outcome::NotApplicable(reason),
                    Err(problem) => Outcome::Fail(vec![problem]),
                };
            }
            let mut problems = run_case(&client, instance.base_url(), case);
            if let Some(next) = &case.then {
                match cases.iter().find(|c| &c.name == next) {
                    Some(next_case) => problems.extend(
                        run_case(&client, instance.base_url(), next_case)
                            .into_iter()
                            .map(|p| format!("then {next}: {p}")),
                    ),
                    None => problems.push(format!("`then` names an unknown case {next:?}")),
                }
            }
            if problems.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail(problems)
            }
        })
        .collect()
}

/// A case of an unsupported group: the answer is a 5xx without internals, and the runtime's
/// log says "the `<target>` target does not support `<capability>`".
fn refused(
    client: &reqwest::blocking::Client,
    instance: &dyn Instance,
    case: &Case,
    target: &str,
    capability: Capability,
) -> Result<(), String> {
    let answer = send(client, instance.base_url(), &case.request)?;
    if !(500..600).contains(&answer.status) {
        return Err(format!(
            "unsupported `{capability}` answered {} instead of a 5xx",
            answer.status
        ));
    }
    let message = format!("the `{target}` target does not support `{capability}`");
    let started = std::time::Instant::now();
    while !instance.logs().contains(&message) {
        if started.elapsed() > Duration::from_secs(5) {
            return Err(format!("no log line saying {message:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn run_case(client: &reqwest::blocking::Client, base: &str, case: &Case) -> Vec<String> {
    match send(client, base, &case.request) {
        Ok(answer) => cases::check(&case.expect, &answer),
        Err(e) => vec![format!("request failed: {e}")],
    }
}

fn send(
    client: &reqwest::blocking::Client,
    base: &str,
    req: &CaseRequest,
) -> Result<Answer, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder = client.request(method, format!("{base}{}", req.path));
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let res = builder
        .body(req.body_bytes())
        .send()
        .map_err(|e| format!("{e:?}"))?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = res.bytes().map_err(|e| e.to_string())?.to_vec();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn print_table(cases: &[Case], order: &[&str], results: &BTreeMap<&str, Vec<Outcome>>) {
    let width = cases
        .iter()
        .map(|c| c.name.len() + c.group.len() + 3)
        .max()
        .unwrap_or(10);
    print!("\n{:width$}", "case (group)");
    for t in order {
        print!(" | {t:^10}");
    }
    println!();
    println!("{}", "-".repeat(width + order.len() * 13));
    for (i, case) in cases.iter().enumerate() {
        print!("{:width$}", format!("{} ({})", case.name, case.group));
        for t in order {
            let cell = match &results[t][i] {
                Outcome::Pass => "pass",
                Outcome::Fail(_) => "FAIL",
                Outcome::NotApplicable(_) => "n/a",
            };
            print!(" | {cell:^10}");
        }
        println!();
    }
    for t in order {
        for (case, outcome) in cases.iter().zip(&results[t]) {
            if let Outcome::NotApplicable(reason) = outcome {
                println!("n/a {t} / {}: {reason}", case.name);
            }
        }
    }
}
