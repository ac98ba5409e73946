//! The prime check of 4294967029, timed natively: the best of three runs of 50 checks, in
//! seconds per check. The Wasm host benchmark builds it once more without LLVM's x86 shortcut
//! for 64-bit division, to show what that shortcut is worth next to Wasm.

use std::time::Instant;

fn main() {
    const PRIME: u64 = 4_294_967_029;
    const RUNS: u32 = 50;
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..RUNS {
                assert!(faasade_bench_kernel::is_prime(std::hint::black_box(PRIME)));
            }
            started.elapsed().as_secs_f64() / f64::from(RUNS)
        })
        .fold(f64::INFINITY, f64::min);
    println!("{best}");
}
