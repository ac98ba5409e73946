//! `faasade.toml` parsing: any text is either a checked file or an error, never a panic; a
//! file that parses holds only what the checks allow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(file) = faasade_config::AppFile::parse(text) else {
        return;
    };
    for (name, upstream) in &file.upstreams {
        assert!(
            matches!(upstream.scheme.as_str(), "http" | "https"),
            "upstream {name}: {upstream:?}"
        );
        // What the checks let through is an origin every manifest writer can use.
        let origin: http::Uri = upstream.origin().parse().expect("an origin parses");
        assert_eq!(origin.host(), Some(upstream.host.as_str()));
    }
    for key in file.vars.keys() {
        assert!(
            !file.secrets.contains_key(key),
            "{key} is a var and a secret"
        );
    }
    for schedule in &file.schedules {
        assert_eq!(schedule.cron.split_whitespace().count(), 5, "{schedule:?}");
    }
});
