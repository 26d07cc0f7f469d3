//! `sbc_decode_*`: the decoders the shim may call before characterization has run.

use core::ffi::c_char;

use super::{write_out, SbcCapacity, SbcInquirySummary, SbcStatus, Status};
use crate::wire::inquiry::InquiryData;
use crate::wire::read_capacity::{ReadCapacity10, ReadCapacity16};
use crate::wire::{Ascii, Error};

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        match e {
            Error::Truncated { .. } => Status::Truncated,
            Error::Malformed(_) => Status::Malformed,
        }
    }
}

/// The caller's `data[0..length)`, or `None` for a NULL pointer, whatever the length: the
/// header makes every NULL input SBC_STATUS_NULL_PARAMETER, so `(NULL, 0)` is not an empty
/// buffer (an empty buffer is a non-NULL pointer with length 0).
///
/// # Safety
/// `data` must be NULL or valid for reads of `length` bytes for `'a`.
unsafe fn input<'a>(data: *const u8, length: usize) -> Option<&'a [u8]> {
    if data.is_null() {
        return None;
    }
    // SAFETY: non-null (checked above) and `u8` has no alignment requirement; the header
    // requires `data` to be valid for reads of `length` bytes (any non-null pointer is, for
    // length 0), and the slice does not outlive this call.
    Some(unsafe { core::slice::from_raw_parts(data, length) })
}

/// Copies a trimmed field into a NUL-terminated C array, cutting it to fit.
fn c_text<const N: usize>(field: Option<Ascii<'_>>) -> [c_char; N] {
    let mut out = [0 as c_char; N];
    let bytes = field.map_or(&[][..], |a| a.as_bytes());
    for (slot, &b) in out.iter_mut().take(N.saturating_sub(1)).zip(bytes) {
        *slot = b as c_char;
    }
    out
}

/// `sbc_decode_inquiry`.
///
/// # Safety
/// `data` must be NULL or valid for reads of `length` bytes; `summary_out` NULL or valid for
/// writes of one `SbcInquirySummary` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_decode_inquiry(
    data: *const u8,
    length: usize,
    summary_out: *mut SbcInquirySummary,
) -> SbcStatus {
    // SAFETY: this function's contract.
    let Some(buf) = (unsafe { input(data, length) }) else {
        return Status::NullParameter.raw();
    };
    if summary_out.is_null() {
        return Status::NullParameter.raw();
    }
    let decoded = match InquiryData::parse(buf) {
        Ok(d) => d,
        Err(e) => return Status::from(e).raw(),
    };
    let inq = &decoded.value;
    let summary = SbcInquirySummary {
        peripheral_qualifier: inq.peripheral_qualifier.0,
        peripheral_device_type: inq.peripheral_device_type.0,
        version: inq.version.0,
        response_data_format: inq.response_data_format,
        removable: inq.rmb,
        protect: inq.protect.unwrap_or(false),
        truncated: decoded.is_truncated(),
        reserved: 0,
        announced_length: decoded.announced as u32,
        vendor: c_text(inq.t10_vendor_identification),
        product: c_text(inq.product_identification),
        revision: c_text(inq.product_revision_level),
        reserved2: [0],
    };
    // SAFETY: checked non-null above; valid for writes per this function's contract.
    unsafe { write_out(summary_out, summary) }
}

/// `sbc_decode_read_capacity`.
///
/// # Safety
/// `data` must be NULL or valid for reads of `length` bytes; `capacity_out` NULL or valid
/// for writes of one `SbcCapacity` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_decode_read_capacity(
    cdb_length: u8,
    data: *const u8,
    length: usize,
    capacity_out: *mut SbcCapacity,
) -> SbcStatus {
    // SAFETY: this function's contract.
    let Some(buf) = (unsafe { input(data, length) }) else {
        return Status::NullParameter.raw();
    };
    if capacity_out.is_null() {
        return Status::NullParameter.raw();
    }
    let capacity = match cdb_length {
        10 => read_capacity_10(buf),
        16 => read_capacity_16(buf),
        _ => Err(Status::InvalidArgument),
    };
    match capacity {
        // SAFETY: checked non-null above; valid for writes per this function's contract.
        Ok(c) => unsafe { write_out(capacity_out, c) },
        Err(s) => s.raw(),
    }
}

fn read_capacity_10(buf: &[u8]) -> Result<SbcCapacity, Status> {
    let rc = ReadCapacity10::parse(buf)?.value;
    Ok(SbcCapacity {
        block_count: rc.block_count(),
        logical_block_length: rc.logical_block_length_in_bytes,
        physical_block_length: rc.logical_block_length_in_bytes,
        use_read_capacity_16: rc.needs_read_capacity_16(),
        ..SbcCapacity::default()
    })
}

fn read_capacity_16(buf: &[u8]) -> Result<SbcCapacity, Status> {
    let decoded = ReadCapacity16::parse(buf)?;
    let rc = decoded.value;
    // 2^64 blocks, or a physical block of 4 GiB or more (2^32 does not fit the u32), cannot
    // be represented: the device is lying, and the caller must not guess.
    let block_count = rc.checked_block_count().ok_or(Status::Malformed)?;
    // LBPPBE is byte 13: data cut before it leaves the physical length unknown, which the
    // header reports as 0 like every other field past the cut (not as the logical length,
    // which would be a guess the caller cannot tell from a report).
    let physical = match rc.physical_block_length() {
        Some(p) => u32::try_from(p).map_err(|_| Status::Malformed)?,
        None => 0,
    };
    Ok(SbcCapacity {
        block_count,
        logical_block_length: rc.logical_block_length_in_bytes,
        physical_block_length: physical,
        lowest_aligned_lba: rc.lowest_aligned_logical_block_address.unwrap_or(0),
        // 0 when PROT_EN is 0 or past the cut, else P_TYPE + 1: 1..=3 for Types 1..3 and
        // 4..=8 for the reserved P_TYPE values, kept as the device sent them.
        protection_type: rc.protection_type().map_or(0, |t| t.0),
        lbpme: rc.lbpme.unwrap_or(false),
        lbprz: rc.lbprz.unwrap_or(false),
        use_read_capacity_16: false,
        truncated: decoded.is_truncated(),
        reserved: [0],
    })
}

/// `sbc_quirk_by_name`.
///
/// # Safety
/// `name` must be NULL or valid for reads of `length` bytes; `flag_out` NULL or valid for
/// writes of one `u32` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_quirk_by_name(
    name: *const c_char,
    length: usize,
    flag_out: *mut u32,
) -> SbcStatus {
    // SAFETY: this function's contract.
    let Some(bytes) = (unsafe { input(name.cast(), length) }) else {
        return Status::NullParameter.raw();
    };
    if flag_out.is_null() {
        return Status::NullParameter.raw();
    }
    let found = core::str::from_utf8(bytes).ok().and_then(crate::quirks::Quirks::by_name);
    match found {
        // SAFETY: checked non-null above; valid for writes per this function's contract.
        Some(q) => unsafe { write_out(flag_out, q.bits()) },
        None => Status::InvalidArgument.raw(),
    }
}

/// `sbc_quirk_name`.
///
/// # Safety
/// Each output must be NULL or valid for writes of one value of its type (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_quirk_name(
    index: u32,
    name_out: *mut *const c_char,
    length_out: *mut usize,
    flag_out: *mut u32,
) -> SbcStatus {
    if name_out.is_null() || length_out.is_null() || flag_out.is_null() {
        return Status::NullParameter.raw();
    }
    let entry = usize::try_from(index).ok().and_then(|i| crate::quirks::NAMES.get(i));
    let Some(&(name, flag)) = entry else {
        return Status::InvalidArgument.raw();
    };
    // SAFETY: all three checked non-null above and valid for writes per this function's
    // contract; `name` is a static string.
    unsafe {
        name_out.write(name.as_ptr().cast());
        length_out.write(name.len());
        flag_out.write(flag.bits());
    }
    Status::Ok.raw()
}
