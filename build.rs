//! Selects the target once: `cfg(faasade_local)` when no provider feature is enabled on a
//! native build, `cfg(faasade_target = "<name>")` when exactly one is. The errors for other
//! selections live in src/lib.rs.

const TARGET_FEATURES: [&str; 6] = ["aws", "cloudflare", "fastly", "spin", "openwhisk", "wasi"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(faasade_local)");
    println!(
        "cargo::rustc-check-cfg=cfg(faasade_target, values({}))",
        TARGET_FEATURES.map(|f| format!("{f:?}")).join(", ")
    );
    let enabled: Vec<&str> = TARGET_FEATURES
        .into_iter()
        .filter(|f| std::env::var_os(format!("CARGO_FEATURE_{}", f.to_uppercase())).is_some())
        .collect();
    let wasm =
        std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm"));
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match enabled.as_slice() {
        [] if !wasm => println!("cargo::rustc-cfg=faasade_local"),
        // A target on the wrong platform gets no cfg: src/lib.rs reports the mismatch alone.
        ["aws"] if wasm => {}
        ["openwhisk"] if os != "linux" => {}
        ["cloudflare"] if !(wasm && os == "unknown") => {}
        ["fastly"] if !(wasm && os == "wasi" && env == "p1") => {}
        ["spin" | "wasi"] if !(wasm && os == "wasi" && env == "p2") => {}
        [one] => println!("cargo::rustc-cfg=faasade_target=\"{one}\""),
        _ => {}
    }
}
