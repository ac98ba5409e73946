//! The README's support table is generated from `faasade::targets`; this keeps them equal.
//! `FAASADE_BLESS=1 cargo test --test support_table` rewrites the README's copy.

const START: &str = "<!-- support-table:start (generated from targets/src/lib.rs) -->\n";
const END: &str = "<!-- support-table:end -->";

#[test]
fn readme_support_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme
        .find(START)
        .expect("README has the support-table start marker")
        + START.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the support-table end marker")
        + start;
    let generated = faasade::targets::support_table();
    if readme[start..end] != generated {
        if std::env::var_os("FAASADE_BLESS").is_some() {
            std::fs::write(
                path,
                format!("{}{generated}{}", &readme[..start], &readme[end..]),
            )
            .unwrap();
            return;
        }
        panic!(
            "README.md's support table is out of date; run `FAASADE_BLESS=1 cargo test --test support_table`.\n\
             Expected:\n{generated}"
        );
    }
}

#[test]
fn every_target_feature_is_in_the_table() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    for t in faasade::targets::TARGETS {
        if let Some(feature) = t.feature {
            assert!(
                manifest.contains(&format!("\n{feature} = ")),
                "feature {feature} is not declared in Cargo.toml"
            );
        }
    }
}
