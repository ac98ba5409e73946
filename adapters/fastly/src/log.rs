//! Logs to stderr, one line per event (`LEVEL target: message key=value`, see
//! [`faasade_core::log_lines`]), which `fastly log-tail` and Viceroy show. `info` and above
//! are kept.

use faasade_core::log_lines::{self, LineSink};
use tracing::Level;

pub(crate) fn init() {
    log_lines::install(Stderr);
}

struct Stderr;

impl LineSink for Stderr {
    fn write(&self, _level: Level, line: &str) {
        eprintln!("{line}");
    }
}
