//! What the benchmarks share: release builds, process pinning, child processes that never
//! outlive the bench, medians.

#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A numeric setting from the environment.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median (upper one for an even count).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// [`median`] of whole numbers.
pub fn median_u64(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The workspace root (the folder holding Cargo.lock, above the bench's package).
pub fn workspace() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("Cargo.lock").exists() && dir.pop() {}
    dir
}

/// `cargo build --release <args>`, then a copy of `target/release/<path>` (or
/// `target/<triple>/release/<path>` with `--target <triple>`) under a name of its own in the
/// temp folder, so that a later build of the same target with other features (another bench)
/// cannot change it under this one.
pub fn build(args: &[&str], path: &str, name: &str) -> PathBuf {
    let root = workspace();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--locked"])
        .args(args)
        .current_dir(&root)
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "cargo build --release {args:?} failed"
    );
    let target = std::env::var("CARGO_TARGET_DIR").map_or(root.join("target"), PathBuf::from);
    let triple = args.windows(2).find(|w| w[0] == "--target").map(|w| w[1]);
    let built = triple
        .map_or(target.clone(), |t| target.join(t))
        .join("release")
        .join(path);
    let copy = scratch_file(name);
    std::fs::copy(&built, &copy).unwrap_or_else(|e| panic!("copying {}: {e}", built.display()));
    copy
}

/// Faasade's Wasm host, built `--release` ([`build`]) and copied as `name`.
pub fn wasm_host(name: &str) -> PathBuf {
    build(
        &["-p", "faasade-wasm-host", "--bin", "faasade-wasm-host"],
        "faasade-wasm-host",
        name,
    )
}

/// A path in the temp folder private to this bench process (removed by [`Scratch`]).
pub fn scratch_file(name: &str) -> PathBuf {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!("faasade-bench-{}", std::process::id()))
}

/// Removes this bench process's temp folder when dropped: the first binding of a bench's
/// `main`, so it goes last, after the servers using it.
pub struct Scratch;

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(scratch_dir());
    }
}

/// The size in bytes of a stripped copy of `exe` (`strip` from binutils).
pub fn stripped_size(exe: &Path) -> Option<u64> {
    let copy = exe.with_extension("stripped");
    std::fs::copy(exe, &copy).ok()?;
    let ok = Command::new("strip")
        .arg(&copy)
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| std::fs::metadata(&copy).ok().map(|m| m.len()))
        .flatten()
}

/// The port in the local target's "listening on http://ADDR" log line, once it is there.
pub fn listening_port(log: &str) -> Option<u16> {
    let (_, rest) = log.split_once("listening on http://")?;
    let (line, _) = rest.split_once('\n')?;
    let addr = line.split_whitespace().next()?;
    addr.rsplit(':').next()?.parse().ok()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

/// The core servers are pinned to, when pinning is possible.
pub fn last_core() -> Option<usize> {
    let cores = std::thread::available_parallelism().ok()?.get();
    let ok = Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    (cores >= 2 && ok).then_some(cores - 1)
}

/// Pin this process (the load generator) to the first core.
pub fn pin_self() -> bool {
    last_core().is_some()
        && Command::new("taskset")
            .args(["-cp", "0", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// A command for `exe`, pinned to the last core when pinning is possible.
pub fn pinned(exe: &Path) -> Command {
    match last_core() {
        Some(core) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &core.to_string()]).arg(exe);
            c
        }
        None => Command::new(exe),
    }
}

/// A child process whose output goes to a log file (reading it costs the bench nothing while
/// it runs) and which is killed when dropped, even when the bench stops on a panic.
pub struct Proc {
    child: Child,
    log: PathBuf,
}

impl Proc {
    /// Spawn `command` with stdout and stderr into the log file `name`.
    pub fn spawn(mut command: Command, name: &str) -> Self {
        let log = scratch_file(&format!("{name}.log"));
        let file = File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
        Self { child, log }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has ended.
    pub fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// The log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait (30 s at most) until `found` picks something out of the log.
    pub fn wait_for<T>(&mut self, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(t) = found(&self.log()) {
                return t;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("exited ({status}) before {what}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no {what} within 30 s:\n{}", self.log());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET `url` until it answers `200` (or `timeout` passes); its body.
pub fn retry_get(
    client: &reqwest::blocking::Client,
    url: &str,
    timeout: Duration,
) -> Result<String, String> {
    let started = Instant::now();
    loop {
        let res = client
            .get(url)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.text());
        match res {
            Ok(body) => return Ok(body),
            Err(e) if started.elapsed() > timeout => return Err(e.to_string()),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Requests to each URL in turn, one at a time, for `duration`; each URL's median latency in
/// microseconds. Alternating request by request lets drift on the machine hit all alike. Each
/// cycle visits the URLs in a fresh random order, so every URL follows every other equally
/// often: a request after a heavier one may pay for its garbage collection or cold caches,
/// and a fixed rotation of three or more URLs puts some URLs after the heaviest more often
/// than others (with `0 1 2`, `1 2 0`, `2 0 1`, URL 0 follows URL 2 twice per three cycles,
/// URL 1 once).
pub fn alternate<const N: usize>(
    client: &reqwest::blocking::Client,
    urls: &[String; N],
    duration: Duration,
) -> [f64; N] {
    let started = Instant::now();
    let mut samples: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    let mut order: [usize; N] = std::array::from_fn(|i| i);
    let mut random = Shuffler::new();
    while started.elapsed() < duration {
        random.shuffle(&mut order);
        for &i in &order {
            let (url, samples) = (&urls[i], &mut samples[i]);
            let sent = Instant::now();
            let res = client.get(url).send().and_then(|r| r.bytes());
            let micros = sent.elapsed().as_secs_f64() * 1e6;
            assert!(res.is_ok(), "request to {url} failed: {res:?}");
            samples.push(micros);
        }
    }
    samples.map(|mut s| median(&mut s))
}

/// Fisher–Yates shuffles from a xorshift generator seeded by std's random hasher keys.
struct Shuffler(u64);

impl Shuffler {
    fn new() -> Self {
        use std::hash::BuildHasher;
        Self(std::hash::RandomState::new().hash_one(0u8) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// The latency rounds both target benches run: a warm-up, then `rounds` rounds of
/// [`alternate`] of `secs` seconds, each printed; the median round per URL.
pub fn latency_rounds<const N: usize>(
    client: &reqwest::blocking::Client,
    labels: [&str; N],
    urls: &[String; N],
    rounds: u64,
    secs: u64,
) -> [f64; N] {
    alternate(client, urls, Duration::from_millis(500)); // warm-up: connections, caches
    let mut latencies: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..rounds {
        let medians = alternate(client, urls, Duration::from_secs(secs));
        for ((label, micros), all) in labels.iter().zip(medians).zip(&mut latencies) {
            println!("round {}: {label:<30} {micros:>8.1} µs/request", round + 1);
            all.push(micros);
        }
    }
    latencies.map(|mut l| median(&mut l))
}
