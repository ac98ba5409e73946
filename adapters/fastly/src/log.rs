//! Logs to stderr, one line per event (`LEVEL target: message key=value`, see
//! [`faasade_core::log_lines`]), which `fastly log-tail` and Viceroy show. `info` and above
//! are kept.

pub(crate) fn init() {
    faasade_core::log_lines::install(faasade_core::log_lines::Stderr);
}
