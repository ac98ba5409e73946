//! Logs to the Workers console, one line per event (`LEVEL target: message key=value`, see
//! [`faasade_core::log_lines`]) with `console.error` / `console.warn` / `console.log`, which
//! `wrangler tail` and Workers Logs read. `info` and above are kept.

use faasade_core::log_lines::{self, LineSink};
use tracing::Level;
use worker::{console_error, console_log, console_warn, js_sys};

pub(crate) fn init() {
    log_lines::install(Console);
}

struct Console;

impl LineSink for Console {
    fn write(&self, level: Level, line: &str) {
        match level {
            Level::ERROR => console_error!("{line}"),
            Level::WARN => console_warn!("{line}"),
            _ => console_log!("{line}"),
        }
    }

    // Numbers are written by JavaScript: Rust's float and 128-bit formatting would add about
    // 20 KB to every Worker for fields few apps log.
    fn float(&self, value: f64, out: &mut String) {
        let text = js_sys::Number::from(value).to_string_with_radix(10);
        out.push_str(&text.map(String::from).unwrap_or_default());
    }

    fn int128(&self, value: i128, out: &mut String) {
        push_bigint(js_sys::BigInt::from(value), out);
    }

    fn uint128(&self, value: u128, out: &mut String) {
        push_bigint(js_sys::BigInt::from(value), out);
    }
}

fn push_bigint(value: js_sys::BigInt, out: &mut String) {
    out.push_str(&value.to_string(10).map(String::from).unwrap_or_default());
}
