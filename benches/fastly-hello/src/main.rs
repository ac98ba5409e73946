//! The baseline for the fastly benchmark: a hello world written by hand against the `fastly`
//! crate, the way its starter kit begins, as a Rust developer would without Faasade.

/// Greets with the `GREETING` entry of the config store `vars` and the request path.
#[cfg(target_arch = "wasm32")]
#[fastly::main]
fn main(req: fastly::Request) -> Result<fastly::Response, fastly::Error> {
    let greeting = fastly::ConfigStore::try_open("vars")
        .ok()
        .and_then(|vars| vars.get("GREETING"))
        .unwrap_or_else(|| "hello".to_owned());
    Ok(
        fastly::Response::from_body(format!("{greeting} {}\n", req.get_path()))
            .with_content_type(fastly::mime::TEXT_PLAIN_UTF_8),
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
