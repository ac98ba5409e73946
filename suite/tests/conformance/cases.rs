//! The shared conformance cases: loading them and checking one response against a case.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(crate) struct Cases {
    pub(crate) cases: Vec<Case>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) group: String,
    pub(crate) request: CaseRequest,
    pub(crate) expect: Expect,
    pub(crate) then: Option<String>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct CaseRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Option<String>,
    pub body_base64: Option<String>,
    pub(crate) body_repeat: Option<Repeat>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct Repeat {
    pub(crate) byte: u8,
    pub(crate) count: usize,
}

#[derive(Deserialize, Clone)]
pub(crate) struct Expect {
    pub(crate) status: u16,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Option<String>,
    pub body_base64: Option<String>,
    pub(crate) json_subset: Option<serde_json::Map<String, Value>>,
    pub(crate) set_cookies: Option<Vec<String>>,
    pub(crate) body_not_contains: Option<String>,
}

/// The cases the suite runs, and a problem with them if the project's copy has drifted.
///
/// The project keeps a copy (suite/tests/conformance/cases.json) so a fresh clone runs on its own;
/// where the team's shared copy sits beside the repository, the two must be identical.
pub(crate) fn load() -> Result<Cases, String> {
    let root = faasade_suite::process::workspace();
    let vendored = root.join("suite/tests/conformance/cases.json");
    let text =
        std::fs::read_to_string(&vendored).map_err(|e| format!("{}: {e}", vendored.display()))?;
    let shared = root.join("../shared/conformance/cases.json");
    if let Ok(shared_text) = std::fs::read_to_string(&shared) {
        let same = serde_json::from_str::<Value>(&shared_text).ok()
            == serde_json::from_str::<Value>(&text).ok();
        if !same {
            return Err(format!(
                "{} differs from {}: copy the shared cases into the project",
                vendored.display(),
                shared.display()
            ));
        }
    }
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", vendored.display()))
}

impl CaseRequest {
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        if let Some(b) = &self.body {
            b.clone().into_bytes()
        } else if let Some(b) = &self.body_base64 {
            BASE64.decode(b).expect("case body_base64 is base64")
        } else if let Some(r) = &self.body_repeat {
            vec![r.byte; r.count]
        } else {
            Vec::new()
        }
    }
}

/// What came back for one request.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every way `answer` falls short of `expect`; empty when it passes.
pub(crate) fn check(expect: &Expect, answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let text = String::from_utf8_lossy(&answer.body);
    if answer.status != expect.status {
        problems.push(format!(
            "status {} (want {}); body {:?}",
            answer.status,
            expect.status,
            clip(&text)
        ));
    }
    for (name, want) in &expect.headers {
        match answer.header(name) {
            Some(got) if got == want => {}
            got => problems.push(format!("header {name}: {got:?} (want {want:?})")),
        }
    }
    if let Some(want) = expect.body.as_ref().filter(|want| text != **want) {
        problems.push(format!("body {:?} (want {want:?})", clip(&text)));
    }
    if let Some(want) = &expect.body_base64 {
        let want = BASE64.decode(want).expect("case body_base64 is base64");
        if answer.body != want {
            problems.push(format!(
                "body: {} bytes differing from the expected {}",
                answer.body.len(),
                want.len()
            ));
        }
    }
    if let Some(subset) = &expect.json_subset {
        match serde_json::from_slice::<Value>(&answer.body) {
            Ok(Value::Object(got)) => {
                for (k, want) in subset {
                    if got.get(k) != Some(want) {
                        problems.push(format!("json {k}: {:?} (want {want})", got.get(k)));
                    }
                }
            }
            _ => problems.push(format!("body is not a JSON object: {:?}", clip(&text))),
        }
    }
    if let Some(cookies) = &expect.set_cookies {
        let got: Vec<&str> = answer
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect();
        for want in cookies {
            if !got.contains(&want.as_str()) {
                problems.push(format!("set-cookie {want:?} missing (got {got:?})"));
            }
        }
    }
    if let Some(secret) = expect
        .body_not_contains
        .as_ref()
        .filter(|s| text.contains(s.as_str()))
    {
        problems.push(format!("body leaks {secret:?}"));
    }
    problems
}

fn clip(s: &str) -> String {
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_owned()
    }
}
