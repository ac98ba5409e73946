//! Logs to the Workers console: a small `tracing` subscriber that writes each event as one
//! line (`LEVEL target: message key=value`) with `console.error` / `console.warn` /
//! `console.log`, which `wrangler tail` and Workers Logs read. `info` and above are kept.

use std::fmt::Write as _;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use worker::{console_error, console_log, console_warn, js_sys};

pub(crate) fn init() {
    let _ = tracing::subscriber::set_global_default(Console);
}

struct Console;

impl Subscriber for Console {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::INFO
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        let mut line = Line(format!("{} {}:", meta.level(), meta.target()));
        event.record(&mut line);
        let line = line.0;
        match *meta.level() {
            Level::ERROR => console_error!("{line}"),
            Level::WARN => console_warn!("{line}"),
            _ => console_log!("{line}"),
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

struct Line(String);

impl Line {
    fn record_js(&mut self, field: &Field, value: js_sys::BigInt) {
        let text = value.to_string(10).map(String::from).unwrap_or_default();
        self.record_number(field, text);
    }

    fn record_number(&mut self, field: &Field, text: String) {
        if field.name() == "message" {
            let _ = write!(self.0, " {text}");
        } else {
            let _ = write!(self.0, " {}={text}", field.name());
        }
    }
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    // Numbers are written by JavaScript: Rust's float and 128-bit formatting would add about
    // 20 KB to every Worker for fields few apps log.
    fn record_f64(&mut self, field: &Field, value: f64) {
        let text = js_sys::Number::from(value).to_string_with_radix(10);
        self.record_number(field, text.map(String::from).unwrap_or_default());
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.record_js(field, js_sys::BigInt::from(value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.record_js(field, js_sys::BigInt::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}
