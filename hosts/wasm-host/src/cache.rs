//! Components compiled once: the machine code wasmtime makes from a component is kept as a
//! `.cwasm` file in a cache folder, under a key made of the component's SHA-256 and the
//! engine's compatibility hash (wasmtime version and compilation settings), so a changed
//! component or engine never loads stale code. Loading from the cache maps the file instead of
//! compiling, which is most of a cold start.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// A loaded component and how it was loaded.
pub struct Loaded {
    /// The component, ready to link.
    pub component: Component,
    /// The cache file it came from or went to (`None` without a cache folder).
    pub cache_file: Option<PathBuf>,
    /// Whether it came from the cache (no compilation).
    pub from_cache: bool,
    /// How long loading took.
    pub took: Duration,
}

/// Load the component at `path`, through the `.cwasm` cache in `cache_dir` when one is given.
pub fn load_component(
    engine: &Engine,
    path: &Path,
    cache_dir: Option<&Path>,
) -> wasmtime::Result<Loaded> {
    let started = Instant::now();
    let bytes = std::fs::read(path)
        .map_err(|e| wasmtime::format_err!("cannot read the component {}: {e}", path.display()))?;
    let Some(dir) = cache_dir else {
        let component = Component::new(engine, &bytes)?;
        return Ok(Loaded {
            component,
            cache_file: None,
            from_cache: false,
            took: started.elapsed(),
        });
    };
    let file = dir.join(format!("{}.cwasm", cache_key(engine, &bytes)));
    if file.exists() {
        match deserialize(engine, &file) {
            Ok(component) => {
                return Ok(Loaded {
                    component,
                    cache_file: Some(file),
                    from_cache: true,
                    took: started.elapsed(),
                });
            }
            // A damaged or foreign file is replaced, never trusted.
            Err(e) => eprintln!("faasade-wasm-host: recompiling {}: {e}", file.display()),
        }
    }
    let compiled = engine.precompile_component(&bytes)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| wasmtime::format_err!("cannot create the cache {}: {e}", dir.display()))?;
    let partial = file.with_extension(format!("cwasm.{}", std::process::id()));
    std::fs::write(&partial, &compiled)
        .and_then(|()| std::fs::rename(&partial, &file))
        .map_err(|e| wasmtime::format_err!("cannot write {}: {e}", file.display()))?;
    let component = deserialize(engine, &file)?;
    Ok(Loaded {
        component,
        cache_file: Some(file),
        from_cache: false,
        took: started.elapsed(),
    })
}

/// The cache key of `bytes` compiled by `engine`.
fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let mut sha = Sha256::new();
    sha.update(bytes);
    sha.update(engine_hash.finish().to_le_bytes());
    sha.finalize()
        .iter()
        .take(20)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, file: &Path) -> wasmtime::Result<Component> {
    // SAFETY: the file is one this cache wrote with `Engine::precompile_component`, under a key
    // that includes the engine's compatibility hash; wasmtime checks the header again and
    // refuses a file made by another version or configuration.
    unsafe { Component::deserialize_file(engine, file) }
}
