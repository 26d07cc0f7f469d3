//! Shared by the integration tests: fixtures, peer tools, every-prefix driving.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use sbc_core::wire::cdb::{AtaPassThrough12, AtaPassThrough16, AtaProtocol};

/// The project's fixture folder (`tests/fixtures` at the repository root).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Path of a captured `.hex` buffer under `tests/fixtures/sg3-inhex/`.
pub fn inhex_path(name: &str) -> PathBuf {
    fixtures_dir().join("sg3-inhex").join(name)
}

/// The bytes of a captured `.hex` buffer under `tests/fixtures/sg3-inhex/`.
pub fn inhex(name: &str) -> Vec<u8> {
    let path = inhex_path(name);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = vec![0u8; text.len() / 2 + 1];
    let n = sbc_core::capture::parse_hex(&text, &mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out.truncate(n);
    out
}

/// Runs an independent peer tool (sg3_utils and friends) and returns its stdout.
///
/// A missing tool fails the test: the peers are part of the suite, and `scripts/test.sh`
/// installs them. Their exit status is not trusted (`sg_decode_sense` exits 0 on errors), so
/// callers parse the text.
pub fn peer(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("peer tool `{tool}` could not run ({e}); scripts/test.sh installs it (sg3-utils)")
    });
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// Calls `f` with every prefix of `buf`, shortest first (the empty slice included).
pub fn every_prefix(buf: &[u8], mut f: impl FnMut(&[u8])) {
    for n in 0..=buf.len() {
        f(&buf[..n]);
    }
}

/// A small seeded generator (xorshift64*) so generated cases are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// ATA PASS-THROUGH(16) carrying IDENTIFY DEVICE (ECh, PIO data-in, one 512-byte block).
pub fn ata16_identify() -> AtaPassThrough16 {
    AtaPassThrough16 {
        protocol: AtaProtocol::PIO_DATA_IN,
        extend: false,
        multiple_count: 0,
        off_line: 0,
        ck_cond: false,
        t_type: false,
        t_dir: true,
        byte_block: true,
        t_length: 2,
        features: 0,
        count: 1,
        lba: 0,
        device: 0,
        command: 0xEC,
        block_length: 512,
    }
}

/// The same IDENTIFY DEVICE in ATA PASS-THROUGH(12).
pub fn ata12_identify() -> AtaPassThrough12 {
    let a = ata16_identify();
    AtaPassThrough12 {
        protocol: a.protocol,
        multiple_count: 0,
        off_line: 0,
        ck_cond: false,
        t_type: false,
        t_dir: true,
        byte_block: true,
        t_length: 2,
        features: 0,
        count: 1,
        lba: 0,
        device: 0,
        command: 0xEC,
        block_length: 512,
    }
}
pub mod scripted_disk;
