//! Selects the target once, from the registry (`faasade-targets`): `cfg(faasade_local)` when
//! no provider feature is enabled on a native build, `cfg(faasade_target = "<name>")` when
//! exactly one is, on a platform it builds for; both also set `cfg(faasade_selected)`. Any
//! other selection gets no cfg and a compile error that says what to do instead, written to
//! `$OUT_DIR/selection.rs`, which src/lib.rs includes.

use faasade_targets::TARGETS;

fn main() {
    let features: Vec<&str> = TARGETS.iter().filter_map(|t| t.feature).collect();
    println!("cargo::rustc-check-cfg=cfg(faasade_local)");
    println!("cargo::rustc-check-cfg=cfg(faasade_selected)");
    println!(
        "cargo::rustc-check-cfg=cfg(faasade_target, values({}))",
        features
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let cfg = |key: &str| std::env::var(format!("CARGO_CFG_TARGET_{key}")).unwrap_or_default();
    let (family, os, env) = (cfg("FAMILY"), cfg("OS"), cfg("ENV"));
    let wasm = family.split(',').any(|f| f == "wasm");
    let enabled: Vec<_> = TARGETS
        .iter()
        .filter(|t| {
            t.feature.is_some_and(|f| {
                std::env::var_os(format!("CARGO_FEATURE_{}", f.to_uppercase())).is_some()
            })
        })
        .collect();

    let mut errors = Vec::new();
    for (i, first) in enabled.iter().enumerate() {
        for second in &enabled[i + 1..] {
            errors.push(format!(
                "faasade: the target features `{}` and `{}` are both enabled; a build targets exactly one provider (e.g. `--features {}`)",
                first.name, second.name, first.name
            ));
        }
    }
    match enabled.as_slice() {
        [] if wasm => {
            let wasm_features: Vec<String> = TARGETS
                .iter()
                .filter(|t| matches!(t.platform, faasade_targets::Platform::Wasm { .. }))
                .filter_map(|t| t.feature.map(|f| format!("`{f}`")))
                .collect();
            errors.push(format!(
                "faasade: a WebAssembly build needs a target feature: {}",
                or_list(&wasm_features)
            ));
        }
        [] => println!("cargo::rustc-cfg=faasade_local\ncargo::rustc-cfg=faasade_selected"),
        [one] if !one.platform.matches(&family, &os, &env) => errors.push(format!(
            "faasade: the `{}` target {} (see docs/targets/{}.md)",
            one.name, one.wrong_platform, one.name
        )),
        [one] => println!(
            "cargo::rustc-cfg=faasade_target=\"{}\"\ncargo::rustc-cfg=faasade_selected",
            one.name
        ),
        _ => {}
    }

    let selection: String = errors
        .iter()
        .map(|e| format!("compile_error!({e:?});\n"))
        .collect();
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("selection.rs"), selection).expect("write selection.rs");
}

/// `a`, `a or b`, `a, b, c or d`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
