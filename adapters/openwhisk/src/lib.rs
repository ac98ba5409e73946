//! Faasade's Apache OpenWhisk target (`--features openwhisk`). OpenWhisk has no Rust SDK worth
//! using, so this adapter speaks the runtime protocol itself; the app is one static binary
//! (`x86_64-unknown-linux-musl`), zipped as `exec` and created with
//! `wsk action create NAME action.zip --native --web raw`.
//!
//! The binary serves either way OpenWhisk starts an executable:
//! - **actionloop** (the Go proxy of `openwhisk/actionloop-base` and newer runtimes): started
//!   once, it reads one JSON line per activation on stdin (`value`, `namespace`, `action_name`,
//!   `activation_id`, `deadline` as a string of epoch milliseconds, ...), sets the activation's
//!   `__OW_*` environment variables, and writes one JSON line on file descriptor 3. When
//!   `__OW_WAIT_FOR_ACK` (or `OW_WAIT_FOR_ACK`) is set it first writes `{"ok":true}`. A bad
//!   line gets an `{"error": ...}` line; the loop never exits before stdin closes.
//! - **native** (the `openwhisk/dockerskeleton` Python proxy, `--native`): started per
//!   activation with the parameters as JSON in `argv[1]` (or on stdin when they are too large
//!   for the command line) and the metadata in `__OW_*` variables; the result is the last line
//!   on stdout.
//!
//! The mode is chosen by what the process was given: an argument means native; file
//! descriptor 3 open means actionloop; otherwise the parameters are read from stdin.
//!
//! What an activation becomes:
//! - A raw **web action** (its parameters carry `__ow_method` and `__ow_query`) becomes a neutral request for an
//!   HTTP handler ([`web`]); the response becomes `{statusCode, headers, body}`, binary and JSON
//!   bodies base64-encoded as the controller expects. A response of 500 or more is returned
//!   under `error`, so the activation is recorded as failed while the client still gets it.
//! - A **plain action** calls a JSON event function with the parameters; its value is the
//!   result, which must be a JSON object or array (what OpenWhisk accepts).
//! - Handler errors and panics: `{"error": ...}` without internals, a log line with the cause.
//!
//! Vars and secrets: the process environment (the `env` of `/init`, parameters created with
//! `init: true`), then the action's parameters (`wsk action create -p NAME VALUE`, which
//! OpenWhisk merges into every activation's parameters). Only raw web actions are served: a
//! non-raw one has the request's fields merged into those parameters ([`web`]). OpenWhisk has no separate secret
//! store. Fetch uses reqwest; logs go to stderr, which OpenWhisk collects as the activation's
//! logs. KV and `wait_until` are not offered (the container is paused between activations).

pub mod media;
mod platform;
pub mod protocol;
pub mod web;

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::rc::Rc;

use faasade_core::handler::Handler;

pub use platform::TARGET;
pub use protocol::Action;

/// The entry point `#[faasade::main]` calls on the `openwhisk` target: serve activations the
/// way this process was started (actionloop or native), until stdin closes.
pub fn run<F, H>(factory: F) -> ExitCode
where
    F: FnOnce() -> H,
    H: Handler,
{
    faasade_core::log_lines::install(faasade_core::log_lines::Stderr);
    let Some(rt) = faasade_native_fetch::runtime() else {
        return ExitCode::FAILURE;
    };
    let action = Action::new(Rc::new(factory()));
    let mut args = std::env::args_os().skip(1);
    if let Some(arg) = args.next() {
        // Native mode, parameters on the command line.
        let result = rt.block_on(action.native(arg.as_encoded_bytes()));
        return print_last_line(&result);
    }
    match std::fs::OpenOptions::new().write(true).open(protocol::FD3) {
        Ok(out) => serve_loop(&rt, &action, std::io::stdin().lock(), out),
        Err(_) => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!(
                    "this is an OpenWhisk action: OpenWhisk starts it (see docs/targets/openwhisk.md); \
                     to try it by hand, pass the parameters as JSON: ./exec '{{\"name\":\"Ada\"}}'"
                );
            }
            let mut input = Vec::new();
            if let Err(e) = stdin.lock().read_to_end(&mut input) {
                tracing::error!("cannot read the parameters from stdin: {e}");
                return ExitCode::FAILURE;
            }
            let result = rt.block_on(action.native(&input));
            print_last_line(&result)
        }
    }
}

/// The actionloop: acknowledge if asked, then one result line on `out` per line of `input`.
fn serve_loop(
    rt: &tokio::runtime::Runtime,
    action: &Action,
    mut input: impl BufRead,
    mut out: impl Write,
) -> ExitCode {
    if protocol::wants_ack() && writeln!(out, "{}", protocol::ACK).is_err() {
        tracing::error!("cannot write the acknowledgement on file descriptor 3");
        return ExitCode::FAILURE;
    }
    let _ = out.flush();
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return ExitCode::SUCCESS,
            Ok(_) => {}
            Err(e) => {
                tracing::error!("cannot read the next activation from stdin: {e}");
                return ExitCode::FAILURE;
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = rt.block_on(action.activation(&line));
        if writeln!(out, "{result}")
            .and_then(|()| out.flush())
            .is_err()
        {
            tracing::error!("cannot write the result on file descriptor 3; stopping");
            return ExitCode::FAILURE;
        }
    }
}

fn print_last_line(result: &serde_json::Value) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{result}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
