//! The `wasi` target: any wasi:http host. A `wasm32-wasip2` component and nothing else (a
//! host takes the component alone); `dev` is Faasade's Wasm host, with vars and secrets as
//! environment variables.

use std::path::{Path, PathBuf};

use anyhow::Result;
use faasade_tooling::component::{build_component, component_needs, serve_component};
use faasade_tooling::{App, DevOptions, Manifest, Need, Options, Project, Tooling};

/// The `wasi` target.
pub struct Wasi;

impl Tooling for Wasi {
    fn name(&self) -> &'static str {
        "wasi"
    }

    fn needs(&self) -> Vec<Need> {
        component_needs(self)
    }

    fn manifests(&self, app: &App, _: Options) -> Result<Vec<Manifest>> {
        app.refuse_schedules("wasi", "a wasi:http proxy is invoked by HTTP only")?;
        Ok(Vec::new())
    }

    fn build(&self, project: &Project, dist: &Path, options: Options) -> Result<PathBuf> {
        build_component(self, project, dist, options)
    }

    fn dev(&self, project: &Project, options: DevOptions) -> Result<()> {
        serve_component(self, project, options, true)
    }
}
