//! The native binary: runs the app in src/lib.rs (locally, or on Lambda with `--features aws`).

faasade::run!(event);
