//! `cargo faasade`: scaffold, build, run locally and package a Faasade app for any target.
//!
//! - [`new`]: an app from a template (`http`, `json-event`, `axum`, `kv`).
//! - [`build`]: the exact build each target needs, then the deployable artifact and its
//!   manifest under `dist/<target>/`; [`build::package`] writes the manifests alone.
//! - [`dev`]: the local dev server, or the built artifact in its target's own local runtime.
//! - [`manifest`]: wrangler.toml, fastly.toml, spin.toml, a SAM template.yaml and an
//!   OpenWhisk manifest.yaml, all from one [`config::AppConfig`] (faasade.toml).
//! - [`doctor`]: which tools each target needs and how to get the missing ones.
//! - [`targets`]: every target's tooling, in the registry's order. Each one lives beside its
//!   adapter, in `adapters/<target>/tooling` (crate `faasade-<target>-tooling`), built from
//!   the pieces in `faasade-tooling`; the commands above loop over them.

pub use faasade_tooling::{build, config, dev, manifest, project, status, tools};

pub mod doctor;
pub mod new;
pub mod targets;
