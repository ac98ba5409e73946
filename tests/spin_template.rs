//! templates/spin/spin.toml follows Spin's manifest (version 2) and Faasade's naming: every
//! variable is lower case (Spin's rule, which `cx.var` maps to), declared and granted to the
//! component under the same name, the HTTP trigger names the component, and the build command
//! is the `spin` target's.

use std::collections::BTreeSet;

fn manifest() -> toml::Table {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/spin/spin.toml");
    std::fs::read_to_string(path)
        .expect("templates/spin/spin.toml")
        .parse()
        .expect("valid TOML")
}

fn keys(table: &toml::Value) -> BTreeSet<String> {
    table.as_table().expect("a table").keys().cloned().collect()
}

#[test]
fn variables_are_lower_case_declared_and_granted() {
    let m = manifest();
    assert_eq!(m["spin_manifest_version"].as_integer(), Some(2));
    let declared = keys(&m["variables"]);
    assert!(!declared.is_empty());
    for name in &declared {
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "Spin variable names are lower case: {name}"
        );
    }
    let component = &m["component"]["my-app"];
    let granted = keys(&component["variables"]);
    assert_eq!(declared, granted, "each variable is declared and granted");
    for name in &granted {
        assert_eq!(
            component["variables"][name].as_str(),
            Some(format!("{{{{ {name} }}}}").as_str())
        );
    }
}

#[test]
fn trigger_component_stores_and_build_fit_the_spin_target() {
    let m = manifest();
    let trigger = &m["trigger"]["http"][0];
    assert_eq!(trigger["component"].as_str(), Some("my-app"));
    assert_eq!(trigger["route"].as_str(), Some("/..."));
    let component = &m["component"]["my-app"];
    assert!(
        component["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("target/wasm32-wasip2/release/") && s.ends_with(".wasm"))
    );
    assert!(
        component["key_value_stores"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s.as_str() == Some("default")))
    );
    let build = component["build"]["command"].as_str().unwrap_or_default();
    assert!(
        build.contains("--target wasm32-wasip2") && build.contains("--features spin"),
        "{build}"
    );
}
