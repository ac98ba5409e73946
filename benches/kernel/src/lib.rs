//! Compute kernels for the Wasm host benchmark, compiled twice from this one source: natively
//! (called directly) and for `wasm32-unknown-unknown` (called through wasmtime), so the ratio
//! of the two timings is the cost of running code as Wasm.
//!
//! - [`is_prime`]: trial division, as the prime check of 4294967029 the benchmark runs.
//! - [`fib`]: the naive doubly recursive Fibonacci, `fib(42)` in the benchmark.

/// Whether `n` is prime, by trial division up to its square root.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// The `n`th Fibonacci number, by the naive recursion (exponential on purpose: it measures
/// calls and arithmetic).
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// The Wasm exports: `is_prime(n) -> 0|1` and `fib(n)`.
#[cfg(target_family = "wasm")]
#[allow(unsafe_code)] // `no_mangle` exports are how a core module names its functions.
mod exports {
    #[unsafe(no_mangle)]
    extern "C" fn is_prime(n: u64) -> u32 {
        super::is_prime(n) as u32
    }

    #[unsafe(no_mangle)]
    extern "C" fn fib(n: u32) -> u64 {
        super::fib(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_answer_right() {
        assert!(is_prime(4_294_967_029));
        assert!(!is_prime(4_294_967_027));
        assert_eq!(fib(20), 6765);
    }
}
