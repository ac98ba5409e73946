//! Selects the target once: `cfg(faasade_local)` when no provider feature is enabled on a
//! native build. The errors for other selections live in src/lib.rs.

const TARGET_FEATURES: [&str; 6] = ["aws", "cloudflare", "fastly", "spin", "openwhisk", "wasi"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(faasade_local)");
    let enabled = TARGET_FEATURES
        .iter()
        .filter(|f| std::env::var_os(format!("CARGO_FEATURE_{}", f.to_uppercase())).is_some());
    let wasm =
        std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm"));
    if enabled.count() == 0 && !wasm {
        println!("cargo::rustc-cfg=faasade_local");
    }
}
