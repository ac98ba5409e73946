//! Cargo-style status lines on stderr: a right-aligned verb (bold green on a terminal), then
//! what is happening.

use std::io::IsTerminal;
use std::process::Command;

/// `    Building demo for cloudflare`.
pub fn line(verb: &str, message: &str) {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;32m{verb:>12}\x1b[0m {message}");
    } else {
        eprintln!("{verb:>12} {message}");
    }
}

/// A note the user must act on.
pub fn note(message: &str) {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;33m{:>12}\x1b[0m {message}", "Note");
    } else {
        eprintln!("{:>12} {message}", "Note");
    }
}

/// `     Running worker-build --release ...`: the exact command, so users can run it by hand.
pub fn running(command: &Command) {
    let program = command.get_program().to_string_lossy();
    let program = program.rsplit('/').next().unwrap_or(&program).to_owned();
    let args: Vec<String> = command
        .get_args()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains(' ') {
                format!("{a:?}")
            } else {
                a.into_owned()
            }
        })
        .collect();
    line("Running", &format!("{program} {}", args.join(" ")));
}
