//! Phase 4, capacity: READ CAPACITY(16) or (10), with both fallbacks and the capacity
//! quirks (Linux `sd_read_capacity`, `sd_try_rc16_first`).
//!
//! RC16 comes first when the device claims SPC-3 or later, or PROTECT, or
//! NEEDS_READ_CAPACITY_16; never with NO_READ_CAPACITY_16, and not with
//! READ_CAPACITY_10_FIRST (usb-storage's `try_rc_10_first`) unless NEEDS_READ_CAPACITY_16.
//! Any RC16 failure falls back to RC10 (Linux: ILLEGAL REQUEST silently, others too;
//! FreeBSD: `CAN_RC16` cleared); RC10 failing tries RC16, and RC10 is never sent twice (both
//! failing refuses). RC10 returning FFFF_FFFFh escalates to RC16 (SBC-4 §5.20.2); if that
//! fails, the capacity is exactly 2^32 blocks (Linux "Using 0xffffffff as device size", and
//! `goto got_data`: FIX_CAPACITY / GUESS_CAPACITY do not touch it); with
//! NO_READ_CAPACITY_16 it means no medium (Linux `read_capacity_10`: buggy card readers say
//! FFFF_FFFFh for an empty slot).
//!
//! Mandatory: NOT READY, a transport failure, or no usable answer from either form refuses.
//!
//! Protection information (READ CAPACITY(16) PROT_EN and P_TYPE, SBC-4 §4.22 and §5.21.2)
//! counts only when standard INQUIRY's PROTECT is set (Linux `sd_read_protection_type`).
//! Types 1, 2 and 3 are accepted with [`Warning::ProtectionNotEndToEnd`]: the kernel's
//! READ/WRITE(10) and (16) carry RDPROTECT/WRPROTECT 000b, which every type serves (the
//! device server generates and checks protection information itself, and transfers user
//! data only); type 2's rule rejects 10/12/16-byte CDBs only when that field is not zero,
//! and asks for READ(32)/WRITE(32) only to carry the expected initial logical block
//! reference tag of a host that sends or checks protection information. Linux serves such
//! disks the same way when its host adapter does no DIF (`sd_config_protection`,
//! `sd_setup_read_write_cmnd`). Reserved P_TYPE values (types 4 to 8) are refused, as
//! Linux does. The reasoning and its sources: docs/references.md §Protection information
//! and the kernel's READ/WRITE.

use super::mode_sense::ModeSense;
use super::phase::{Cx, Next, Phase};
use super::report::{RefuseReason, Verdict, Warning};
use crate::policy::{Failure, Reason};
use crate::quirks::Quirks;
use crate::wire::cdb::{self, BuildError, Command};
use crate::wire::inquiry::Version;
use crate::wire::read_capacity::{ReadCapacity10, ReadCapacity16};

/// READ CAPACITY(16) parameter data length (SBC-4 §5.21.2).
const READ_CAPACITY_16_LENGTH: u32 = 32;

/// The capacity phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Capacity {
    /// READ CAPACITY(16), for this reason.
    Rc16(Rc16Because),
    /// READ CAPACITY(10).
    Rc10 {
        /// READ CAPACITY(16) was sent first and failed: if this fails too, the capacity is
        /// unknown.
        rc16_failed: bool,
    },
}

/// Why READ CAPACITY(16) is being sent; it says what its failure means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rc16Because {
    /// It is the first choice (`sd_try_rc16_first`): its failure falls back to RC10.
    First,
    /// RC10 said FFFF_FFFFh with this block length: its failure means 2^32 blocks.
    Rc10Overflow {
        /// RC10's LOGICAL BLOCK LENGTH IN BYTES.
        block_length: u32,
    },
    /// RC10 failed: its failure means the capacity is unknown (RC10 is not sent twice).
    Rc10Failed,
}

/// What READ CAPACITY reported, in the report's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reported {
    /// RETURNED LOGICAL BLOCK ADDRESS + 1.
    block_count: u64,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    block_length: u32,
    /// The READ CAPACITY(16) fields, when it was RC16.
    rc16: Option<Rc16Fields>,
    /// 2^32 blocks assumed after an RC10 overflow: the capacity quirks leave it alone.
    assumed: bool,
}

/// READ CAPACITY(16) fields beyond count and length (SBC-4 §5.21.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rc16Fields {
    lbppbe: u8,
    lowest_aligned_lba: u16,
    protection_type: u8,
    lbpme: bool,
    lbprz: bool,
}

impl Capacity {
    /// The first READ CAPACITY: Linux `sd_try_rc16_first`, with the quirks in the module doc.
    pub fn start(cx: &mut Cx<'_>) -> Next {
        let q = cx.report.quirks;
        let claims_rc16 = cx.report.version.0 >= Version::SPC_3.0 || cx.learned.protect;
        let rc16_first = rc16_allowed(cx)
            && (q.contains(Quirks::NEEDS_READ_CAPACITY_16)
                || (!q.contains(Quirks::READ_CAPACITY_10_FIRST) && claims_rc16));
        Next::Go(Phase::Capacity(if rc16_first {
            Capacity::Rc16(Rc16Because::First)
        } else {
            Capacity::Rc10 { rc16_failed: false }
        }))
    }

    pub fn command(&self) -> Result<Command, BuildError> {
        match self {
            Capacity::Rc16(_) => {
                cdb::ReadCapacity16 { allocation_length: READ_CAPACITY_16_LENGTH }.encode()
            }
            Capacity::Rc10 { .. } => cdb::ReadCapacity10.encode(),
        }
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        match self {
            Capacity::Rc16(because) => match read_capacity_16(data) {
                Some(reported) => known(reported, cx),
                None => rc16_failed(because, cx),
            },
            Capacity::Rc10 { rc16_failed } => match ReadCapacity10::parse(data) {
                Ok(d) if d.value.needs_read_capacity_16() => {
                    rc10_overflow(d.value.logical_block_length_in_bytes, rc16_failed, cx)
                }
                Ok(d) => known(
                    Reported {
                        block_count: d.value.block_count(),
                        block_length: d.value.logical_block_length_in_bytes,
                        rc16: None,
                        assumed: false,
                    },
                    cx,
                ),
                Err(_) => refuse(RefuseReason::CapacityUnknown),
            },
        }
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        match failure.reason {
            Reason::NoMedium => return medium_absent(cx),
            Reason::NotReady | Reason::StartRequired => {
                return refuse(RefuseReason::for_failure(failure));
            }
            reason if reason.is_transport() => return refuse(RefuseReason::TransportFailure),
            _ => {}
        }
        match self {
            Capacity::Rc16(because) => rc16_failed(because, cx),
            Capacity::Rc10 { rc16_failed: false } if rc16_allowed(cx) => {
                Next::Go(Phase::Capacity(Capacity::Rc16(Rc16Because::Rc10Failed)))
            }
            Capacity::Rc10 { .. } => refuse(RefuseReason::CapacityUnknown),
        }
    }
}

fn refuse(reason: RefuseReason) -> Next {
    Next::Done(reason.into())
}

fn rc16_allowed(cx: &Cx<'_>) -> bool {
    !cx.report.quirks.contains(Quirks::NO_READ_CAPACITY_16)
}

/// READ CAPACITY(16) parameter data (SBC-4 §5.21.2); `None` when too short or impossible.
fn read_capacity_16(data: &[u8]) -> Option<Reported> {
    let rc = ReadCapacity16::parse(data).ok()?.value;
    Some(Reported {
        block_count: rc.checked_block_count()?,
        block_length: rc.logical_block_length_in_bytes,
        rc16: Some(Rc16Fields {
            lbppbe: rc.logical_blocks_per_physical_block_exponent.unwrap_or(0),
            lowest_aligned_lba: rc.lowest_aligned_logical_block_address.unwrap_or(0),
            protection_type: rc.protection_type().map_or(0, |t| t.0),
            lbpme: rc.lbpme.unwrap_or(false),
            lbprz: rc.lbprz.unwrap_or(false),
        }),
        assumed: false,
    })
}

/// READ CAPACITY(16) did not give a capacity.
fn rc16_failed(because: Rc16Because, cx: &mut Cx<'_>) -> Next {
    cx.warn(Warning::ReadCapacity16Failed);
    match because {
        Rc16Because::First => Next::Go(Phase::Capacity(Capacity::Rc10 { rc16_failed: true })),
        // RC10 already answered FFFF_FFFFh: asking it again would say the same.
        Rc16Because::Rc10Overflow { block_length } => assume_2_to_32(block_length, cx),
        // RC10 already failed, then RC16 did: READ CAPACITY(10) is never sent twice.
        Rc16Because::Rc10Failed => refuse(RefuseReason::CapacityUnknown),
    }
}

/// RC10 said FFFF_FFFFh (SBC-4 §5.20.2: the capacity does not fit).
fn rc10_overflow(block_length: u32, rc16_failed: bool, cx: &mut Cx<'_>) -> Next {
    if !rc16_allowed(cx) {
        // Linux read_capacity_10: with no_read_capacity_16, FFFF_FFFFh is a card reader's
        // way of saying "no medium".
        medium_absent(cx)
    } else if !rc16_failed {
        Next::Go(Phase::Capacity(Capacity::Rc16(Rc16Because::Rc10Overflow { block_length })))
    } else {
        assume_2_to_32(block_length, cx)
    }
}

/// Linux `sd_read_capacity`: RC10 overflowed and RC16 failed: "Using 0xffffffff as device
/// size", i.e. 2^32 blocks of the RC10 block length.
fn assume_2_to_32(block_length: u32, cx: &mut Cx<'_>) -> Next {
    cx.warn(Warning::CapacityAssumed2To32);
    let reported = Reported { block_count: 1 << 32, block_length, rc16: None, assumed: true };
    known(reported, cx)
}

/// A capacity was read: into the report, then MODE SENSE (or no medium).
fn known(reported: Reported, cx: &mut Cx<'_>) -> Next {
    if let Err(reason) = apply(reported, cx) {
        return refuse(reason);
    }
    if cx.report.block_count == 0 {
        return medium_absent(cx);
    }
    cx.report.medium_present = true;
    ModeSense::start(cx)
}

/// Applies a capacity to the report: block length sanity (Linux `sd_read_capacity`: 0
/// becomes 512; only 512, 1024, 2048, 4096), the capacity quirks (Linux: `fix_capacity`
/// always takes one block off, `guess_capacity` when the count is odd; neither touches an
/// assumed 2^32-block capacity), physical block and alignment, protection type (Linux
/// `sd_read_protection_type`: PROT_EN and P_TYPE count only when standard INQUIRY's PROTECT
/// is set; then types above 3, reserved P_TYPE values in SBC-4 §5.21.2, are refused, and
/// types 1 to 3 are served without end-to-end protection: see the module doc).
fn apply(reported: Reported, cx: &mut Cx<'_>) -> Result<(), RefuseReason> {
    let report = &mut *cx.report;
    let length = match reported.block_length {
        0 => {
            report.warnings.push(Warning::BlockLengthZero);
            512
        }
        length => length,
    };
    if !matches!(length, 512 | 1024 | 2048 | 4096) {
        return Err(RefuseReason::UnsupportedBlockLength { length });
    }
    let (quirks, count) = (report.quirks, reported.block_count);
    let adjust = !reported.assumed
        && (quirks.contains(Quirks::FIX_CAPACITY)
            || (quirks.contains(Quirks::GUESS_CAPACITY) && count % 2 == 1));
    if adjust {
        report.warnings.push(Warning::CapacityAdjusted);
    }
    report.block_count = if adjust { count.saturating_sub(1) } else { count };
    report.logical_block_length = length;
    report.physical_block_length = length;
    let Some(x) = reported.rc16 else {
        return Ok(());
    };
    let protection_type = if cx.learned.protect { x.protection_type } else { 0 };
    if protection_type > 3 {
        return Err(RefuseReason::UnsupportedProtectionType { protection_type });
    }
    report.protection_type = protection_type;
    if protection_type > 0 {
        report.warnings.push(Warning::ProtectionNotEndToEnd { protection_type });
    }
    report.lbpme = x.lbpme;
    report.lbprz = x.lbprz;
    report.lowest_aligned_lba = x.lowest_aligned_lba;
    match 1u32.checked_shl(u32::from(x.lbppbe)).and_then(|n| n.checked_mul(length)) {
        Some(physical) => report.physical_block_length = physical,
        None => report.warnings.push(Warning::PhysicalBlockLengthInvalid),
    }
    Ok(())
}

/// No medium: a removable LU is accepted without one (the kernel polls for media), a fixed
/// one is refused.
pub(super) fn medium_absent(cx: &mut Cx<'_>) -> Next {
    cx.report.medium_present = false;
    cx.report.block_count = 0;
    if cx.report.removable {
        Next::Done(Verdict::Accept)
    } else {
        refuse(RefuseReason::NoMedium)
    }
}
