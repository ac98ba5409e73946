//! One log line per `tracing` event, for adapters whose provider reads logs line by line
//! (the Workers console, Fastly's stderr): `LEVEL target: message key=value`, `info` and above.
//! An adapter supplies a [`LineSink`] that writes the line where its provider collects logs
//! and installs [`install`] once per instance.

use std::fmt::Write as _;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Where an adapter's log lines go.
pub trait LineSink: Send + Sync + 'static {
    /// Write one finished line.
    fn write(&self, level: Level, line: &str);

    /// Append a float field's value. Rust's formatting by default; a Wasm adapter whose host
    /// can format numbers may override it to keep Rust's float formatting out of its module.
    fn float(&self, value: f64, out: &mut String) {
        let _ = write!(out, "{value}");
    }

    /// Append a 128-bit integer field's value (as with [`LineSink::float`]).
    fn int128(&self, value: i128, out: &mut String) {
        let _ = write!(out, "{value}");
    }

    /// Append an unsigned 128-bit integer field's value (as with [`LineSink::float`]).
    fn uint128(&self, value: u128, out: &mut String) {
        let _ = write!(out, "{value}");
    }
}

/// Lines to stderr, where Fastly's log tailing, Spin, wasmtime and other WASI hosts collect a
/// guest's logs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl LineSink for Stderr {
    fn write(&self, _level: Level, line: &str) {
        eprintln!("{line}");
    }
}

/// Make `sink` the global `tracing` subscriber (a no-op if one is already set).
pub fn install(sink: impl LineSink) {
    let _ = tracing::subscriber::set_global_default(Lines(sink));
}

struct Lines<S>(S);

impl<S: LineSink> Subscriber for Lines<S> {
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
        let mut line = Line {
            sink: &self.0,
            text: format!("{} {}:", meta.level(), meta.target()),
        };
        event.record(&mut line);
        self.0.write(*meta.level(), &line.text);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

struct Line<'a, S> {
    sink: &'a S,
    text: String,
}

impl<S: LineSink> Line<'_, S> {
    /// ` value` for the message, ` name=value` for other fields.
    fn field(&mut self, field: &Field) {
        self.text.push(' ');
        if field.name() != "message" {
            self.text.push_str(field.name());
            self.text.push('=');
        }
    }
}

impl<S: LineSink> Visit for Line<'_, S> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.field(field);
        self.sink.float(value, &mut self.text);
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.field(field);
        self.sink.int128(value, &mut self.text);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.field(field);
        self.sink.uint128(value, &mut self.text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.text, " {value}");
        } else {
            let _ = write!(self.text, " {}={value:?}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.field(field);
        let _ = write!(self.text, "{value:?}");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<(Level, String)>>>);

    impl LineSink for Collect {
        fn write(&self, level: Level, line: &str) {
            self.0.lock().unwrap().push((level, line.to_owned()));
        }
    }

    /// The lines `f` logs on this thread.
    pub(crate) fn collected(f: impl FnOnce()) -> Vec<String> {
        let sink = Collect::default();
        tracing::subscriber::with_default(Lines(sink.clone()), f);
        let lines = sink.0.lock().unwrap();
        lines.iter().map(|(_, line)| line.clone()).collect()
    }

    #[test]
    fn one_line_per_event_info_and_above() {
        let sink = Collect::default();
        let subscriber = Lines(sink.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!("left out");
            tracing::info!(target: "app", user = "ada", n = 3, x = 1.5, "signed in");
            tracing::error!(target: "app", big = 1u128 << 100, "failed");
        });
        let lines = sink.0.lock().unwrap().clone();
        assert_eq!(
            lines,
            [
                (
                    Level::INFO,
                    r#"INFO app: signed in user="ada" n=3 x=1.5"#.to_owned()
                ),
                (
                    Level::ERROR,
                    "ERROR app: failed big=1267650600228229401496703205376".to_owned()
                ),
            ]
        );
    }
}
