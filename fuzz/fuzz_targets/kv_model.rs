//! The local KV store (redb; the local target and the Wasm host's Spin KV both use it) against
//! a `BTreeMap`: after any sequence of puts, deletes and paged lists, every get and every page
//! agrees with the model, and the pages of a listing together hold exactly the matching keys.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use faasade_core::kv::{Kv, ListOptions};
use faasade_local::LocalDb;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Put(u8, Vec<u8>),
    Delete(u8),
    Get(u8),
    List { prefix: u8, limit: u8 },
}

/// A small key space, so operations meet: 16 keys sharing a few prefixes.
fn key(k: u8) -> String {
    format!("{}/{}", ["a", "ab", "b", "é"][usize::from(k % 4)], k % 16)
}

fn prefix(p: u8) -> Option<String> {
    let p = ["", "a", "ab", "b", "é", "z"][usize::from(p % 6)];
    (!p.is_empty()).then(|| p.to_owned())
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    kv: Kv,
    _dir: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // A RAM-backed folder when there is one: every put is a durable redb commit.
        let base = ["/dev/shm", "/tmp"]
            .into_iter()
            .find(|d| std::path::Path::new(d).is_dir())
            .unwrap_or(".");
        let dir =
            std::path::Path::new(base).join(format!("faasade-fuzz-kv-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = LocalDb::new(dir.clone()).store("model");
        Fixture {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            kv: Kv::new("model", Arc::new(store)),
            _dir: dir,
        }
    })
}

fuzz_target!(|ops: Vec<Op>| {
    let f = fixture();
    f.runtime.block_on(async {
        // Start from an empty store.
        let all = f.kv.list(&ListOptions::default()).await.unwrap();
        for k in all.keys {
            f.kv.delete(&k).await.unwrap();
        }
        let mut model = BTreeMap::new();
        for op in ops.into_iter().take(64) {
            match op {
                Op::Put(k, value) => {
                    f.kv.put(&key(k), value.clone()).await.unwrap();
                    model.insert(key(k), value);
                }
                Op::Delete(k) => {
                    f.kv.delete(&key(k)).await.unwrap();
                    model.remove(&key(k));
                }
                Op::Get(k) => {
                    let got = f.kv.get(&key(k)).await.unwrap();
                    assert_eq!(got.as_deref(), model.get(&key(k)).map(Vec::as_slice));
                }
                Op::List { prefix: p, limit } => {
                    let prefix = prefix(p);
                    let limit = usize::from(limit % 5) + 1;
                    let mut options = ListOptions::default().limit(limit);
                    options.prefix = prefix.clone();
                    let mut listed = Vec::new();
                    loop {
                        let page = f.kv.list(&options).await.unwrap();
                        assert!(page.keys.len() <= limit, "{page:?}");
                        listed.extend(page.keys);
                        match page.cursor {
                            Some(cursor) => options.cursor = Some(cursor),
                            None => break,
                        }
                        assert!(listed.len() <= model.len(), "pages never end: {listed:?}");
                    }
                    let expected: Vec<String> = model
                        .keys()
                        .filter(|k| prefix.as_deref().is_none_or(|p| k.starts_with(p)))
                        .cloned()
                        .collect();
                    assert_eq!(listed, expected, "prefix {prefix:?}, limit {limit}");
                }
            }
        }
    });
});
