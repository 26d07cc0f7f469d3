//! Sense decoding and ASC/ASCQ text: sbc-core against libsgutils2 (sg3_utils 1.46) called
//! through FFI in the same process, over the same inputs (issue 3, "Measure").
//!
//! `CARGO_TARGET_DIR=/work/target-bench cargo bench --bench sense`
//!
//! Each benchmark iteration walks the whole input set (about 1,000 buffers or pairs), so a
//! per-item time is the reported time divided by the item count (divan prints it as
//! throughput). What each side does is described in `support/sense_inputs.rs`; the numbers
//! are in docs/performance.md. divan's `AllocProfiler` counts Rust-side allocations in
//! each benchmark; allocations inside the C library are counted by tests/sense_no_alloc.rs.

use core::ffi::c_char;
use std::sync::OnceLock;

use divan::counter::ItemsCount;
use divan::{black_box, AllocProfiler, Bencher};

#[path = "support/sense_inputs.rs"]
mod inputs;

use inputs::{StackBuf, TEXT_BUF};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

struct Inputs {
    buffers: Vec<Vec<u8>>,
    pairs: Vec<(u8, u8)>,
}

fn setup() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let buffers = inputs::sense_buffers();
        let (n, sensed, informed) = inputs::check_decode_agreement(&buffers);
        let pairs = inputs::text_pairs();
        let (p, differ) = inputs::text_differences(&pairs);
        eprintln!(
            "decode inputs: {n} buffers ({sensed} sense, {informed} with INFORMATION), \
             sg, normalize and parse agree on key/ASC/ASCQ/INFORMATION for all; \
             text inputs: {p} pairs, {differ} texts differ between the tables"
        );
        Inputs { buffers, pairs }
    })
}

fn main() {
    setup();
    divan::main();
}

mod decode {
    use super::*;

    /// `sbc_core::sense::normalize` + `Header::information`, every buffer.
    #[divan::bench]
    fn ours(bencher: Bencher) {
        let bufs = &setup().buffers;
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in bufs {
                black_box(inputs::decode_ours(black_box(b)));
            }
        });
    }

    /// `sbc_core::sense::parse` (every field decoded) + key/ASC/ASCQ/INFORMATION, every
    /// buffer. Not equal work to sg; the full decoder's cost.
    #[divan::bench]
    fn ours_parse(bencher: Bencher) {
        let bufs = &setup().buffers;
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in bufs {
                black_box(inputs::decode_ours_parse(black_box(b)));
            }
        });
    }

    /// `sg_scsi_normalize_sense` + `sg_get_sense_info_fld`, every buffer.
    #[divan::bench]
    fn sg(bencher: Bencher) {
        let bufs = &setup().buffers;
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in bufs {
                black_box(inputs::decode_sg(black_box(b)));
            }
        });
    }

    /// Bench-local prototype (not sbc-core): sg's work only, in safe Rust.
    #[divan::bench]
    fn prototype_header_only(bencher: Bencher) {
        let bufs = &setup().buffers;
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in bufs {
                black_box(inputs::decode_header_prototype(black_box(b)));
            }
        });
    }
}

/// The decode inputs split by format (the 3 fixtures and the generated buffers; the two
/// non-sense buffers are left out).
mod decode_by_format {
    use super::*;

    fn pick(format: &str) -> Vec<Vec<u8>> {
        let fixed = format == "fixed";
        let bufs = setup().buffers.iter();
        bufs.filter(|b| matches!(b[0] & 0x7f, 0x70..=0x73) && (b[0] & 0x7f < 0x72) == fixed)
            .cloned()
            .collect()
    }

    #[divan::bench(args = ["fixed", "descriptor"])]
    fn ours(bencher: Bencher, format: &str) {
        let bufs = pick(format);
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in &bufs {
                black_box(inputs::decode_ours(black_box(b)));
            }
        });
    }

    #[divan::bench(args = ["fixed", "descriptor"])]
    fn ours_parse(bencher: Bencher, format: &str) {
        let bufs = pick(format);
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in &bufs {
                black_box(inputs::decode_ours_parse(black_box(b)));
            }
        });
    }

    #[divan::bench(args = ["fixed", "descriptor"])]
    fn sg(bencher: Bencher, format: &str) {
        let bufs = pick(format);
        bencher.counter(ItemsCount::new(bufs.len())).bench(|| {
            for b in &bufs {
                black_box(inputs::decode_sg(black_box(b)));
            }
        });
    }
}

mod text {
    use super::*;

    /// `describe(asc, ascq)` written into a 256-byte stack buffer with `AscText::write_to`,
    /// every pair.
    #[divan::bench]
    fn ours(bencher: Bencher) {
        let pairs = &setup().pairs;
        bencher.counter(ItemsCount::new(pairs.len())).bench(|| {
            let mut out = StackBuf::new();
            for &(asc, ascq) in pairs {
                black_box(inputs::text_ours(black_box(asc), black_box(ascq), &mut out));
                black_box(&out);
            }
        });
    }

    /// `describe(asc, ascq)` formatted into a 256-byte stack buffer through `core::fmt`
    /// (`write!` and `Display`), every pair.
    #[divan::bench]
    fn ours_fmt(bencher: Bencher) {
        let pairs = &setup().pairs;
        bencher.counter(ItemsCount::new(pairs.len())).bench(|| {
            let mut out = StackBuf::new();
            for &(asc, ascq) in pairs {
                black_box(inputs::text_ours_fmt(black_box(asc), black_box(ascq), &mut out));
                black_box(&out);
            }
        });
    }

    /// `describe(asc, ascq)` alone: the lookup, no formatting (`AscText` holds a `&'static
    /// str` or the numbers). Not equal work to sg; shown to split lookup from formatting.
    #[divan::bench]
    fn ours_lookup_only(bencher: Bencher) {
        let pairs = &setup().pairs;
        bencher.counter(ItemsCount::new(pairs.len())).bench(|| {
            for &(asc, ascq) in pairs {
                black_box(sbc_core::sense::describe(black_box(asc), black_box(ascq)));
            }
        });
    }

    /// `sg_get_asc_ascq_str(asc, ascq, 256, buf)` into a stack buffer, every pair.
    #[divan::bench]
    fn sg(bencher: Bencher) {
        let pairs = &setup().pairs;
        bencher.counter(ItemsCount::new(pairs.len())).bench(|| {
            let mut out = [0 as c_char; TEXT_BUF];
            for &(asc, ascq) in pairs {
                black_box(inputs::text_sg(black_box(asc), black_box(ascq), &mut out));
                black_box(&out);
            }
        });
    }
}
