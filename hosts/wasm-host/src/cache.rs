//! Components compiled once: the machine code wasmtime makes from a component is kept as a
//! `.cwasm` file in a cache folder, under a key made of the component's SHA-256 and the
//! engine's compatibility hash (wasmtime version and compilation settings), so a changed
//! component or engine never loads stale code. Loading from the cache skips compiling, which
//! is most of a cold start.
//!
//! Loading a `.cwasm` runs its machine code as it is, so only files this host wrote are
//! loaded. Each file ends with an HMAC-SHA256, over its key and its code, made with a secret
//! of 32 random bytes kept beside the files (`key`, readable by its owner only). A file that
//! does not verify (copied from another component or another cache, shipped in a repository,
//! damaged) is recompiled and replaced. The folder and the key must belong to the user running
//! the host and be writable by nobody else; otherwise the cache is not used.
//!
//! The default folder is in the user's cache directory (`$XDG_CACHE_HOME/faasade/cwasm`, else
//! `~/.cache/faasade/cwasm`), never one relative to the current directory. Files are written
//! to an unpredictable temporary name created exclusively, then renamed into place.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
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

/// The length of the MAC at the end of each `.cwasm` file.
const MAC_LEN: usize = 32;
/// The cache's secret, beside the `.cwasm` files.
const KEY_FILE: &str = "key";

/// The default cache folder: `$XDG_CACHE_HOME/faasade/cwasm`, else `$HOME/.cache/faasade/cwasm`;
/// `None` when neither is set to an absolute path.
pub fn default_cache_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("faasade").join("cwasm"))
}

/// Load the component at `path`, through the `.cwasm` cache in `cache_dir` when one is given.
/// A cache that cannot be used safely is left alone, with a log line, and the component is
/// compiled.
pub fn load_component(
    engine: &Engine,
    path: &Path,
    cache_dir: Option<&Path>,
) -> wasmtime::Result<Loaded> {
    let started = Instant::now();
    let bytes = fs::read(path)
        .map_err(|e| wasmtime::format_err!("cannot read the component {}: {e}", path.display()))?;
    let secret = match cache_dir.map(open_cache) {
        Some(Ok(secret)) => Some(secret),
        Some(Err(e)) => {
            eprintln!("faasade-wasm-host: not using the .cwasm cache: {e}");
            None
        }
        None => None,
    };
    let (Some(dir), Some(secret)) = (cache_dir, secret) else {
        let component = Component::new(engine, &bytes)?;
        return Ok(Loaded {
            component,
            cache_file: None,
            from_cache: false,
            took: started.elapsed(),
        });
    };
    let key = cache_key(engine, &bytes);
    let file = dir.join(format!("{key}.cwasm"));
    match fs::read(&file) {
        Ok(stored) => match verified(&secret, &key, &stored) {
            Some(code) => {
                let component = deserialize(engine, code)?;
                return Ok(Loaded {
                    component,
                    cache_file: Some(file),
                    from_cache: true,
                    took: started.elapsed(),
                });
            }
            None => eprintln!(
                "faasade-wasm-host: {} was not written by this cache; recompiling",
                file.display()
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => eprintln!(
            "faasade-wasm-host: cannot read {}: {e}; recompiling",
            file.display()
        ),
    }
    let mut compiled = engine.precompile_component(&bytes)?;
    let mac = mac(&secret, &key, &compiled);
    let code_len = compiled.len();
    compiled.extend_from_slice(&mac);
    write_atomically(dir, &file, &compiled)
        .map_err(|e| wasmtime::format_err!("cannot write {}: {e}", file.display()))?;
    let component = deserialize(engine, &compiled[..code_len])?;
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

/// The HMAC over `code` stored under `key`, not yet finalized: binding the key means a file
/// copied under another component's name does not verify.
fn keyed(secret: &[u8; 32], key: &str, code: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(key.as_bytes());
    mac.update(&[0]);
    mac.update(code);
    mac
}

/// The MAC stored after `code`.
fn mac(secret: &[u8; 32], key: &str, code: &[u8]) -> [u8; MAC_LEN] {
    keyed(secret, key, code).finalize().into_bytes().into()
}

/// The code of a stored file whose MAC verifies.
fn verified<'a>(secret: &[u8; 32], key: &str, stored: &'a [u8]) -> Option<&'a [u8]> {
    let code_len = stored.len().checked_sub(MAC_LEN)?;
    let (code, tag) = stored.split_at(code_len);
    // A constant-time comparison.
    keyed(secret, key, code)
        .verify_slice(tag)
        .ok()
        .map(|()| code)
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, code: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `code` is what `Engine::precompile_component` made in this cache: its MAC, made
    // with a secret only this user can read, verified (or it was compiled just now). wasmtime
    // checks its header again and refuses code of another version or configuration.
    unsafe { Component::deserialize(engine, code) }
}

/// `contents` into `file`, through a temporary file of an unpredictable name in `dir`, created
/// exclusively (never through a link someone left there), then renamed over `file`.
fn write_atomically(dir: &Path, file: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut partial = tempfile::Builder::new()
        .prefix(".cwasm-")
        .tempfile_in(dir)?;
    partial.write_all(contents)?;
    partial.as_file().sync_all()?;
    partial.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// The cache's secret, made on first use. The folder is created for this user only; an
/// existing folder or key that another user owns, or that others may write (or read, for the
/// key), is refused.
fn open_cache(dir: &Path) -> Result<[u8; 32], String> {
    create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    check_private(dir, 0o022).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(KEY_FILE);
    let read = |path: &Path| -> Result<[u8; 32], String> {
        check_private(path, 0o077).map_err(|e| format!("{}: {e}", path.display()))?;
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        bytes
            .try_into()
            .map_err(|_| format!("{} is not a key of 32 bytes", path.display()))
    };
    if path.exists() {
        return read(&path);
    }
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(|e| format!("no random bytes for the key: {e}"))?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut key) => {
            key.write_all(&secret)
                .and_then(|()| key.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(secret)
        }
        // Another host made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(&path),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// `path` belongs to this user and has none of the permission bits in `forbidden`.
#[cfg(unix)]
fn check_private(path: &Path, forbidden: u32) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // Not followed: a link in place of the key or the folder is refused.
    let meta = fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link".into());
    }
    if meta.uid() != current_uid() {
        return Err(format!("belongs to user {}, not to this one", meta.uid()));
    }
    if meta.mode() & forbidden != 0 {
        return Err(format!(
            "has permissions {:o}; other users must not be able to {}",
            meta.mode() & 0o777,
            if forbidden & 0o044 != 0 {
                "read or write it"
            } else {
                "write to it"
            }
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: u32) -> Result<(), String> {
    Ok(())
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_verifies_only_under_its_own_key_and_secret() {
        let secret = [7u8; 32];
        let code = b"machine code";
        let mut stored = code.to_vec();
        stored.extend_from_slice(&mac(&secret, "aaaa", code));
        assert_eq!(verified(&secret, "aaaa", &stored), Some(&code[..]));
        assert_eq!(verified(&secret, "bbbb", &stored), None);
        assert_eq!(verified(&[8u8; 32], "aaaa", &stored), None);
        let mut flipped = stored.clone();
        flipped[0] ^= 1;
        assert_eq!(verified(&secret, "aaaa", &flipped), None);
        assert_eq!(verified(&secret, "aaaa", b"short"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_key_is_private_and_a_shared_folder_or_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cwasm");
        let first = open_cache(&cache).unwrap();
        assert_eq!(open_cache(&cache).unwrap(), first, "the key is kept");
        let key = cache.join(KEY_FILE);
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o700
        );

        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let e = open_cache(&cache).unwrap_err();
        assert!(e.contains("644"), "{e}");
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();

        fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(open_cache(&cache).is_err());
        fs::set_permissions(&cache, fs::Permissions::from_mode(0o700)).unwrap();

        fs::remove_file(&key).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &key).unwrap();
        fs::write(dir.path().join("elsewhere"), [1u8; 32]).unwrap();
        assert!(open_cache(&cache).unwrap_err().contains("symbolic link"));
    }

    /// The smallest component: the header alone.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

    /// Another component: the empty one with a custom section named `other`.
    fn other_component() -> Vec<u8> {
        let mut bytes = EMPTY_COMPONENT.to_vec();
        bytes.extend_from_slice(&[0, 6, 5]);
        bytes.extend_from_slice(b"other");
        bytes
    }

    #[test]
    fn another_components_cwasm_copied_under_the_right_name_is_recompiled() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cwasm");
        let a = dir.path().join("a.wasm");
        let b = dir.path().join("b.wasm");
        fs::write(&a, EMPTY_COMPONENT).unwrap();
        fs::write(&b, other_component()).unwrap();

        let first_a = load_component(&engine, &a, Some(&cache)).unwrap();
        assert!(!first_a.from_cache);
        assert!(
            load_component(&engine, &a, Some(&cache))
                .unwrap()
                .from_cache
        );
        let first_b = load_component(&engine, &b, Some(&cache)).unwrap();
        let (a_file, b_file) = (first_a.cache_file.unwrap(), first_b.cache_file.unwrap());
        assert_ne!(a_file, b_file);

        // A's code under B's name, MAC and all: refused, recompiled, replaced.
        fs::copy(&a_file, &b_file).unwrap();
        let swapped = load_component(&engine, &b, Some(&cache)).unwrap();
        assert!(!swapped.from_cache, "another component's code was loaded");
        assert_ne!(fs::read(&b_file).unwrap(), fs::read(&a_file).unwrap());
        assert!(
            load_component(&engine, &b, Some(&cache))
                .unwrap()
                .from_cache
        );

        // A file made elsewhere (another cache's secret) is refused too.
        let elsewhere = dir.path().join("elsewhere");
        let foreign = load_component(&engine, &a, Some(&elsewhere)).unwrap();
        fs::copy(foreign.cache_file.unwrap(), &a_file).unwrap();
        assert!(
            !load_component(&engine, &a, Some(&cache))
                .unwrap()
                .from_cache
        );

        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn the_default_folder_is_absolute_and_never_the_current_one() {
        if let Some(dir) = default_cache_dir() {
            assert!(dir.is_absolute(), "{}", dir.display());
            assert!(dir.ends_with("faasade/cwasm"));
        }
    }
}
