//! Log output for the local server: `tracing` events (and `log` records) to stderr.
//!
//! Worker threads write through a per-thread buffer that is flushed every [`FLUSH_EVERY`], when
//! it fills, before any warning or error, and when the worker stops. One access line per
//! request then costs a copy into memory rather than a system call, which keeps the local
//! server as fast as plain hyper. Other threads write straight through.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// Longest a line waits in a worker's buffer.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// Size at which a worker's buffer is written out at once.
const FLUSH_AT: usize = 16 * 1024;

thread_local! {
    static BUFFERED: Cell<bool> = const { Cell::new(false) };
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Install the subscriber; `RUST_LOG` filters (default `info`). Does nothing when the app has
/// installed its own.
pub(crate) fn init() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // No timestamps, like other dev servers: provider log sinks add their own. No colours:
    // tracing-subscriber's `ansi` feature would also reach the provider adapters' subscribers
    // through feature unification and slow their log formatting.
    let _ = tracing_subscriber::fmt()
        .without_time()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Stderr)
        .try_init();
}

/// Called on a worker thread: buffer its log lines from now on.
pub(crate) fn buffer_this_thread() {
    BUFFERED.set(true);
}

/// Write out this thread's buffered lines.
pub(crate) fn flush_this_thread() {
    BUFFER.with_borrow_mut(write_out);
}

fn write_out(buf: &mut Vec<u8>) {
    if !buf.is_empty() {
        // Holding stderr's lock for the whole chunk keeps other threads' lines out of it.
        let _ = io::stderr().lock().write_all(buf);
        buf.clear();
    }
}

struct Stderr;

/// Where one event goes: this thread's buffer, or stderr directly.
pub(crate) struct Line {
    urgent: bool,
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line { urgent: true }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Line {
        Line {
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if !BUFFERED.get() {
            return io::stderr().lock().write(bytes);
        }
        BUFFER.with_borrow_mut(|buf| {
            buf.extend_from_slice(bytes);
            if self.urgent || buf.len() >= FLUSH_AT {
                write_out(buf);
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
