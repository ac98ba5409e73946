//! What a Lambda `bootstrap.zip` must hold: exactly `bootstrap` at its top, an executable ELF
//! for the function's architecture.

use std::io::Read;
use std::path::Path;

/// ELF `e_machine` of an x86-64 executable.
pub const X86_64: u16 = 62;
/// ELF `e_machine` of an AArch64 (Graviton) executable.
pub const ARM64: u16 = 183;

/// Panics unless `zip` holds exactly `bootstrap`, an executable ELF for `machine`.
pub fn assert_bootstrap(zip: &Path, machine: u16) {
    let file = std::fs::File::open(zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a readable entry name").into_owned())
        .collect();
    assert_eq!(
        names,
        ["bootstrap"],
        "the zip holds exactly `bootstrap` at its top"
    );
    let mut entry = archive.by_name("bootstrap").unwrap();
    let mode = entry.unix_mode().expect("the zip records Unix permissions");
    let mut elf = Vec::new();
    entry.read_to_end(&mut elf).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "bootstrap is an ELF executable");
    assert_eq!(
        u16::from_le_bytes([elf[18], elf[19]]),
        machine,
        "bootstrap is built for the wrong machine"
    );
    assert_eq!(
        mode & 0o111,
        0o111,
        "bootstrap is executable (mode {mode:o})"
    );
}
