//! `#[faasade::main]`: every accepted form compiles and starts (in check mode), and every
//! mistake gets a compile error that says what is expected.

#[test]
#[allow(unsafe_code)]
fn main_attribute() {
    // Pass cases are run; in check mode the local target loads its settings and exits.
    // SAFETY: set before trybuild starts any process, and read by no other thread.
    unsafe { std::env::set_var("FAASADE_CHECK", "1") };
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
