//! Zero allocations on our sense path, measured (issue 3, "Measure").
//!
//! sbc-core is `no_std` without `alloc`, so it cannot allocate; this test measures it anyway,
//! over the same inputs as `benches/sense.rs`: every decode (`sense::normalize` with
//! `Header::information`, and `sense::parse`, with the fields the bench reads) and every
//! ASC/ASCQ text (`describe` written into a stack buffer by `AscText::write_to` and by
//! `core::fmt`).
//!
//! How: this test binary defines `malloc`, `calloc`, `realloc`, `posix_memalign`,
//! `aligned_alloc` and `memalign`, which count and then call glibc's own `__libc_*` entry
//! points. The executable's definitions interpose over libc's for the whole process, so
//! Rust's allocator (which calls malloc) and libsgutils2 (C) are both counted. Counting is
//! per thread and only while switched on, so the test harness' own threads do not count.
//! The sg3_utils side's count is printed, not asserted (it is theirs).

use core::cell::Cell;
use core::ffi::c_void;
use core::fmt::Write as _;

#[path = "../benches/support/sense_inputs.rs"]
mod inputs;

extern "C" {
    fn __libc_malloc(size: usize) -> *mut c_void;
    fn __libc_calloc(n: usize, size: usize) -> *mut c_void;
    fn __libc_realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn __libc_memalign(align: usize, size: usize) -> *mut c_void;
    fn strdup(s: *const core::ffi::c_char) -> *mut core::ffi::c_char;
    fn free(p: *mut c_void);
}

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    if COUNTING.with(Cell::get) {
        COUNT.with(|c| c.set(c.get() + 1));
    }
}

/// Counts the allocations `f` makes on this thread (any allocator call through malloc and
/// friends, Rust or C).
fn count<R>(f: impl FnOnce() -> R) -> (u64, R) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (COUNT.with(Cell::get), r)
}

/// # Safety
/// As glibc's `malloc`.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    bump();
    __libc_malloc(size)
}

/// # Safety
/// As glibc's `calloc`.
#[no_mangle]
pub unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    bump();
    __libc_calloc(n, size)
}

/// # Safety
/// As glibc's `realloc`.
#[no_mangle]
pub unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
    bump();
    __libc_realloc(p, size)
}

/// # Safety
/// As glibc's `memalign`.
#[no_mangle]
pub unsafe extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
    bump();
    __libc_memalign(align, size)
}

/// # Safety
/// As glibc's `aligned_alloc`.
#[no_mangle]
pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    bump();
    __libc_memalign(align, size)
}

/// # Safety
/// As glibc's `posix_memalign`.
#[no_mangle]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> i32 {
    bump();
    if align < core::mem::size_of::<usize>() || !align.is_power_of_two() {
        return 22; // EINVAL
    }
    let p = __libc_memalign(align, size);
    if p.is_null() {
        return 12; // ENOMEM
    }
    *out = p;
    0
}

#[test]
fn our_sense_path_allocates_nothing_and_sg_is_counted() {
    let bufs = inputs::sense_buffers();
    let pairs = inputs::text_pairs();
    inputs::check_decode_agreement(&bufs);

    // The counter sees Rust allocations and allocations made inside a C library.
    let (rust, b) = count(|| Box::new(7u64));
    assert_eq!((rust, *b), (1, 7), "the counter must see a Rust Box");
    let (c, ()) = count(|| {
        // SAFETY: a NUL-terminated literal; the copy is freed right away.
        unsafe { free(strdup(c"counted".as_ptr()).cast()) }
    });
    assert_eq!(c, 1, "the counter must see malloc called from inside libc");

    // Ours: decode + text over every input, twice (a first call cannot hide a lazy init).
    let (ours, informed) = count(|| {
        let mut informed = 0usize;
        let mut text = inputs::StackBuf::new();
        for _ in 0..2 {
            for b in &bufs {
                let parsed = inputs::decode_ours_parse(b);
                if let Some(s) = inputs::decode_ours(b) {
                    assert_eq!(parsed, Some(s));
                    informed += usize::from(s.information.is_some());
                    // The text of the decoded code too, as a log line would print it.
                    inputs::text_ours(s.asc, s.ascq, &mut text);
                    inputs::text_ours_fmt(s.asc, s.ascq, &mut text);
                }
            }
            for &(asc, ascq) in &pairs {
                inputs::text_ours(asc, ascq, &mut text);
                inputs::text_ours_fmt(asc, ascq, &mut text);
                let _ = write!(text, "");
            }
        }
        informed
    });
    assert!(informed > 0);
    assert_eq!(ours, 0, "sbc-core's sense path allocated {ours} times");

    // sg3_utils: the same work, counted and reported (first pass, then second pass).
    let mut sg_counts = [0u64; 2];
    for n in &mut sg_counts {
        let (c, ()) = count(|| {
            let mut text = [0 as core::ffi::c_char; inputs::TEXT_BUF];
            for b in &bufs {
                if let Some(s) = inputs::decode_sg(b) {
                    inputs::text_sg(s.asc, s.ascq, &mut text);
                }
            }
            for &(asc, ascq) in &pairs {
                inputs::text_sg(asc, ascq, &mut text);
            }
        });
        *n = c;
    }
    eprintln!(
        "allocations over {} buffers and {} (asc, ascq) pairs: sbc-core 0 (two passes); \
         libsgutils2 {} (first pass), {} (second pass)",
        bufs.len(),
        pairs.len(),
        sg_counts[0],
        sg_counts[1]
    );
}
