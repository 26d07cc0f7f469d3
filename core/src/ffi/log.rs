//! `sbc_set_log_callback`, and [`emit`]: where the core's log records go.
//!
//! One logger for the process, as the header says: the callback and its context live in two
//! atomics, published together under a sequence counter (a seqlock) so that a record never
//! reaches a new callback with the old context or the reverse. Nothing allocates: a record
//! is formatted into a 255-byte buffer on the stack, cut at a character boundary.

use core::ffi::{c_char, c_void};
use core::fmt;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::SeqCst};

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
    SEQUENCE.store(seq.wrapping_add(2), SeqCst);
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
    use core::fmt::Write;
    use std::sync::Mutex;
    use std::vec::Vec;

    use super::*;

    /// Serializes the tests that set the process-wide callback.
    pub(crate) static LOGGER: Mutex<()> = Mutex::new(());

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
        assert_eq!(sbc_set_log_callback(Some(collect), context), Status::Ok.raw());
        emit(Level::Info, format_args!("attach: {} commands", 7));
        let long = "é".repeat(200); // 400 bytes
        emit(Level::Debug, format_args!("{long}"));
        assert_eq!(sbc_set_log_callback(None, core::ptr::null_mut()), Status::Ok.raw());
        emit(Level::Error, format_args!("dropped"));
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], (3, b"attach: 7 commands".to_vec()));
        assert_eq!(seen[1].0, 4);
        assert_eq!(seen[1].1.len(), 254, "255 bytes cut to the last whole 2-byte character");
        assert!(core::str::from_utf8(&seen[1].1).is_ok());
    }
}
