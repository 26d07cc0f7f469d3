//! `sbc_set_log_callback`, and [`emit`]: where the core's log records go.
//!
//! The core logs through the `log` crate (the engine's records: `attach::Engine`). The ABI
//! installs [`Forward`], a `log::Log` that hands each record to the C callback, with
//! `log::set_logger` (a `static`, no allocation) the first time a non-NULL callback is set,
//! and keeps `log::set_max_level` at `Trace` while a callback is set and `Off` once it is
//! removed. `log` takes one logger per process: when another one was installed first (a
//! Rust host program with a logger of its own, the core's tests), the engine's records go
//! to that logger and its level is left alone; the callback then gets only the lines the
//! ABI writes itself with [`emit`] (misuse of the calls, and one line saying so).
//!
//! One callback for the process, as the header says: the callback and its context live in
//! two atomics, published together under a sequence counter (a seqlock) so that a record
//! never reaches a new callback with the old context or the reverse. Nothing allocates: a
//! record is formatted into a 255-byte buffer on the stack, cut at a character boundary.

use core::ffi::{c_char, c_void};
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};

use super::{SbcStatus, Status};

/// `sbc_log_callback`. NULL is `None`.
pub type SbcLogCallback = Option<
    unsafe extern "C" fn(context: *mut c_void, level: u32, message: *const c_char, len: usize),
>;

/// The longest message, in bytes (the header's "at most 255 bytes").
pub const MESSAGE_CAPACITY: usize = 255;

/// Log levels of `sbc_log_callback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Level {
    /// 1.
    Error = 1,
    /// 2.
    Warning = 2,
    /// 3.
    Info = 3,
    /// 4.
    Debug = 4,
    /// 5.
    Trace = 5,
}

impl Level {
    /// The header's level for a `log` level.
    pub(crate) fn of(level: log::Level) -> Level {
        match level {
            log::Level::Error => Level::Error,
            log::Level::Warn => Level::Warning,
            log::Level::Info => Level::Info,
            log::Level::Debug => Level::Debug,
            log::Level::Trace => Level::Trace,
        }
    }
}

/// The `log::Log` the ABI installs: every record to the callback, at [`Level::of`] its
/// level, formatted by [`emit`].
pub(crate) struct Forward {
    /// Not zero-sized, so that its address is its own: [`forwarding`] compares it with
    /// `log::logger()`.
    _unique: u8,
}

/// The one [`Forward`].
pub(crate) static FORWARD: Forward = Forward { _unique: 0 };

impl log::Log for Forward {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        emit(Level::of(record.level()), *record.args());
    }

    fn flush(&self) {}
}

/// Whether `log`'s logger is [`FORWARD`] (not another logger, and not none yet).
fn forwarding() -> bool {
    core::ptr::addr_eq(log::logger() as *const dyn log::Log, &FORWARD as *const Forward)
}

/// Set once the callback has been told that another logger has the core's records.
static FOREIGN_NOTED: AtomicBool = AtomicBool::new(false);

/// The callback as a data pointer (NULL: none), for the atomic.
static CALLBACK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
/// The caller's context, passed back untouched.
static CONTEXT: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());
/// Even: the pair is stable; odd: a writer is between its two stores.
static SEQUENCE: AtomicUsize = AtomicUsize::new(0);

/// How often a reader tries to see a stable pair before it drops the record (a writer's
/// critical section is two stores, so one retry nearly always suffices).
const READ_ATTEMPTS: usize = 64;

/// `sbc_set_log_callback`.
///
/// Concurrent calls are serialized (each spins only while another is between its two
/// stores). A record being emitted on another thread while the callback is replaced may
/// still reach the callback it read before the change (see the header).
///
/// A non-NULL callback installs `FORWARD` as `log`'s logger if none is yet; while it is
/// the logger, the maximum level follows the callback (`Trace` when set, `Off` when NULL),
/// inside the same critical section, so concurrent calls cannot leave the level of the
/// other's callback. When another logger holds `log`, the callback is told so once.
#[no_mangle]
pub extern "C" fn sbc_set_log_callback(
    callback: SbcLogCallback,
    context: *mut c_void,
) -> SbcStatus {
    let raw: *mut () = match callback {
        Some(f) => f as *mut (),
        None => core::ptr::null_mut(),
    };
    // Take the writer's side: move the sequence from even to odd.
    let mut seq = SEQUENCE.load(SeqCst);
    loop {
        if seq % 2 == 1 {
            core::hint::spin_loop();
            seq = SEQUENCE.load(SeqCst);
            continue;
        }
        match SEQUENCE.compare_exchange_weak(seq, seq.wrapping_add(1), SeqCst, SeqCst) {
            Ok(_) => break,
            Err(now) => seq = now,
        }
    }
    CALLBACK.store(raw, SeqCst);
    CONTEXT.store(context, SeqCst);
    if callback.is_some() {
        // Fails when a logger is installed already: ours (an earlier call), or another.
        let _ = log::set_logger(&FORWARD);
    }
    let forwarding = forwarding();
    if forwarding {
        let level =
            if callback.is_some() { log::LevelFilter::Trace } else { log::LevelFilter::Off };
        log::set_max_level(level);
    }
    SEQUENCE.store(seq.wrapping_add(2), SeqCst);
    if callback.is_some() && !forwarding && !FOREIGN_NOTED.swap(true, SeqCst) {
        emit(
            Level::Warning,
            format_args!(
                "log: another `log` logger is installed in this process; the core's records \
                 go to it, and this callback gets only the C ABI's own lines"
            ),
        );
    }
    Status::Ok.raw()
}

/// The callback and context as last set, if a callback is set and a stable pair could be
/// read.
fn current() -> Option<(unsafe extern "C" fn(*mut c_void, u32, *const c_char, usize), *mut c_void)>
{
    for _ in 0..READ_ATTEMPTS {
        let before = SEQUENCE.load(SeqCst);
        if before % 2 == 1 {
            core::hint::spin_loop();
            continue;
        }
        let raw = CALLBACK.load(SeqCst);
        let context = CONTEXT.load(SeqCst);
        if SEQUENCE.load(SeqCst) != before {
            continue;
        }
        if raw.is_null() {
            return None;
        }
        // SAFETY: `raw` is non-null and was stored by `sbc_set_log_callback` from a value of
        // exactly this function-pointer type (function and data pointers have the same size
        // on every target the core supports), and the sequence check above shows it was
        // published together with `context`.
        let callback = unsafe {
            core::mem::transmute::<
                *mut (),
                unsafe extern "C" fn(*mut c_void, u32, *const c_char, usize),
            >(raw)
        };
        return Some((callback, context));
    }
    None
}

/// Formats `args` into a stack buffer (cut at 255 bytes, at a character boundary) and hands
/// it to the callback, if one is set. Never allocates; nothing is formatted when no callback
/// is set; a formatting error keeps what was written before it.
pub(crate) fn emit(level: Level, args: fmt::Arguments<'_>) {
    let Some((callback, context)) = current() else {
        return;
    };
    let mut buffer = [0u8; MESSAGE_CAPACITY];
    // SAFETY: `buffer` is valid for writes of its whole length while `text` is used.
    let mut text = unsafe { Text::new(buffer.as_mut_ptr(), buffer.len()) };
    let _ = fmt::write(&mut text, args);
    let message = buffer.get(..text.len()).unwrap_or(&[]);
    // SAFETY: the callback was registered through `sbc_set_log_callback` with the header's
    // signature; `message` is valid for reads of its length for the duration of the call,
    // and the header says the callback must not keep it.
    unsafe { callback(context, level as u32, message.as_ptr().cast(), message.len()) };
}

/// A `fmt::Write` into `capacity` bytes at a raw pointer (the caller's buffer, which may be
/// uninitialized: it is only written, never read or referenced). It keeps what fits and cuts
/// at a UTF-8 character boundary: once a piece does not fit, it keeps the longest
/// whole-character prefix of that piece and ignores everything after, without an error, so
/// formatting runs to its end.
pub(crate) struct Text {
    ptr: *mut u8,
    capacity: usize,
    len: usize,
    full: bool,
}

impl Text {
    /// An empty text at `ptr`.
    ///
    /// # Safety
    /// `ptr` must be valid for writes of `capacity` bytes for as long as the value is used
    /// (any pointer, NULL included, when `capacity` is 0).
    pub(crate) unsafe fn new(ptr: *mut u8, capacity: usize) -> Self {
        Text { ptr, capacity, len: 0, full: false }
    }

    /// Bytes written so far, all valid UTF-8, at most `capacity`.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.full {
            return Ok(());
        }
        let room = self.capacity.saturating_sub(self.len);
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        if take < s.len() {
            self.full = true;
        }
        if take > 0 {
            // SAFETY: `len + take <= capacity`, so the destination is inside the buffer
            // `new`'s contract makes writable; `s` is valid for `take <= s.len()` bytes and
            // cannot overlap a buffer only this value writes.
            unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), self.ptr.add(self.len), take) };
            self.len += take;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod test {
    use core::cell::RefCell;
    use core::fmt::Write;
    use std::string::{String, ToString};
    use std::sync::{Mutex, Once};
    use std::vec::Vec;

    use log::Log;

    use super::*;

    /// Serializes the tests that set the process-wide callback.
    pub(crate) static LOGGER: Mutex<()> = Mutex::new(());

    /// A record as the test logger keeps it.
    pub(crate) type Captured = (log::Level, String);

    /// This test binary's own `log` logger, as a Rust host program has one: it keeps the
    /// records logged on a thread inside [`capture`] and drops the others (tests run in
    /// parallel). [`set_callback`] installs it before any callback is set, so [`FORWARD`]
    /// is never `log`'s logger here: these tests see the ABI beside a host's own logger,
    /// and test [`Forward`] by calling it; the C test and the kernel model run it installed.
    struct Capture;

    static CAPTURE: Capture = Capture;

    std::thread_local! {
        static RECORDS: RefCell<Option<Vec<Captured>>> = const { RefCell::new(None) };
    }

    impl Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }

        fn log(&self, record: &log::Record<'_>) {
            let _ = RECORDS.try_with(|records| {
                if let Some(records) = records.borrow_mut().as_mut() {
                    records.push((record.level(), record.args().to_string()));
                }
            });
        }

        fn flush(&self) {}
    }

    /// Installs the test logger, every level on (once per process).
    pub(crate) fn install() {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            log::set_logger(&CAPTURE).expect("the test logger is the first logger");
            log::set_max_level(log::LevelFilter::Trace);
        });
    }

    /// The records logged on this thread while `f` runs.
    pub(crate) fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<Captured>) {
        install();
        RECORDS.with(|records| *records.borrow_mut() = Some(Vec::new()));
        let result = f();
        let records = RECORDS.with(|records| records.borrow_mut().take()).unwrap_or_default();
        (result, records)
    }

    /// What the first callback ever set got from `sbc_set_log_callback` itself.
    static FIRST_CALLBACK: Mutex<Vec<(u32, Vec<u8>)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn first_callback(
        _context: *mut c_void,
        level: u32,
        message: *const c_char,
        len: usize,
    ) {
        // SAFETY: `message` is valid for `len` bytes during the call.
        let text = unsafe { core::slice::from_raw_parts(message.cast::<u8>(), len) }.to_vec();
        FIRST_CALLBACK.lock().unwrap_or_else(|e| e.into_inner()).push((level, text));
    }

    /// `sbc_set_log_callback`, with the test logger installed first and a first callback
    /// set once before (which the one line about the other logger goes to). The caller
    /// holds [`LOGGER`].
    pub(crate) fn set_callback(callback: SbcLogCallback, context: *mut c_void) -> SbcStatus {
        install();
        static FIRST: Once = Once::new();
        FIRST.call_once(|| {
            sbc_set_log_callback(Some(first_callback), core::ptr::null_mut());
        });
        sbc_set_log_callback(callback, context)
    }

    #[test]
    fn text_cuts_at_a_character_boundary() {
        let mut buf = core::mem::MaybeUninit::<[u8; 5]>::uninit();
        // SAFETY: `buf` is valid for writes of 5 bytes.
        let mut t = unsafe { Text::new(buf.as_mut_ptr().cast(), 5) };
        t.write_str("ab").unwrap();
        t.write_str("cdé").unwrap(); // é is 2 bytes: "abcd" + half of é does not fit
        t.write_str("x").unwrap();
        assert_eq!(t.len(), 4, "nothing after the cut");
        // SAFETY: the first `t.len()` bytes were written.
        let written = unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), t.len()) };
        assert_eq!(written, b"abcd");
        // SAFETY: capacity 0: nothing is written through the NULL pointer.
        let mut t = unsafe { Text::new(core::ptr::null_mut(), 0) };
        write!(t, "é{}", 1).unwrap();
        assert_eq!(t.len(), 0);
    }

    unsafe extern "C" fn collect(
        context: *mut c_void,
        level: u32,
        message: *const c_char,
        len: usize,
    ) {
        // SAFETY: the tests pass a `Vec<(u32, Vec<u8>)>` as context; `message` is valid for
        // `len` bytes during the call.
        unsafe {
            let out = &mut *context.cast::<Vec<(u32, Vec<u8>)>>();
            out.push((level, core::slice::from_raw_parts(message.cast::<u8>(), len).to_vec()));
        }
    }

    #[test]
    fn records_reach_the_callback_until_it_is_removed() {
        let _guard = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<(u32, Vec<u8>)> = Vec::new();
        let context = (&mut seen as *mut Vec<(u32, Vec<u8>)>).cast::<c_void>();
        assert_eq!(set_callback(Some(collect), context), Status::Ok.raw());
        emit(Level::Info, format_args!("attach: {} commands", 7));
        let long = "é".repeat(200); // 400 bytes
        emit(Level::Debug, format_args!("{long}"));
        assert_eq!(set_callback(None, core::ptr::null_mut()), Status::Ok.raw());
        emit(Level::Error, format_args!("dropped"));
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], (3, b"attach: 7 commands".to_vec()));
        assert_eq!(seen[1].0, 4);
        assert_eq!(seen[1].1.len(), 254, "255 bytes cut to the last whole 2-byte character");
        assert!(core::str::from_utf8(&seen[1].1).is_ok());
    }

    /// `Forward` gives each `log` record to the callback at the header's level, formatted
    /// and cut as `emit` does, and nothing once the callback is removed.
    #[test]
    fn forward_maps_levels_and_formats_into_the_stack_buffer() {
        let _guard = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<(u32, Vec<u8>)> = Vec::new();
        let context = (&mut seen as *mut Vec<(u32, Vec<u8>)>).cast::<c_void>();
        assert_eq!(set_callback(Some(collect), context), Status::Ok.raw());
        let levels = [
            (log::Level::Error, 1),
            (log::Level::Warn, 2),
            (log::Level::Info, 3),
            (log::Level::Debug, 4),
            (log::Level::Trace, 5),
        ];
        for (level, _) in levels {
            let metadata = log::Metadata::builder().level(level).target("sbc_core").build();
            assert!(FORWARD.enabled(&metadata));
            FORWARD.log(
                &log::Record::builder()
                    .metadata(metadata)
                    .args(format_args!("attach: {level} {:02X}h", 0x12))
                    .build(),
            );
        }
        let long = "é".repeat(200);
        FORWARD.log(&log::Record::builder().args(format_args!("{long}")).build());
        assert_eq!(set_callback(None, core::ptr::null_mut()), Status::Ok.raw());
        FORWARD.log(&log::Record::builder().args(format_args!("dropped")).build());

        assert_eq!(seen.len(), 6, "{seen:?}");
        for ((level, number), (got, text)) in levels.iter().zip(&seen) {
            assert_eq!(*got, *number);
            assert_eq!(text, std::format!("attach: {level} 12h").as_bytes());
        }
        assert_eq!((seen[5].0, seen[5].1.len()), (3, 254), "Info, cut at a character boundary");
    }

    /// Here the test logger came first: `log::set_logger` failed, so the core's records stay
    /// with it and its level is left alone; the first callback was told so, once.
    #[test]
    fn beside_another_logger_the_callback_is_told_once_and_the_level_is_left_alone() {
        let _guard = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<(u32, Vec<u8>)> = Vec::new();
        let context = (&mut seen as *mut Vec<(u32, Vec<u8>)>).cast::<c_void>();
        assert_eq!(set_callback(Some(collect), context), Status::Ok.raw());
        assert!(!forwarding(), "the test logger is `log`'s logger");
        assert_eq!(log::max_level(), log::LevelFilter::Trace);
        let (_, records) = capture(|| log::info!("attach: to the test logger"));
        assert_eq!(set_callback(None, core::ptr::null_mut()), Status::Ok.raw());
        assert_eq!(log::max_level(), log::LevelFilter::Trace, "not the ABI's to turn off");

        assert!(seen.is_empty(), "no second notice, and the record went to the test logger");
        assert_eq!(records, [(log::Level::Info, "attach: to the test logger".to_string())]);
        let first = FIRST_CALLBACK.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].0, 2);
        assert!(first[0].1.starts_with(b"log: another `log` logger is installed"));
        assert!(first[0].1.len() <= MESSAGE_CAPACITY);
    }
}
