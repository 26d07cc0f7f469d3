//! The in-memory SBC disk: a [`Target`] whose answers come from a [`Profile`].
//!
//! Every CDB goes through `sbc_core::wire::cdb::decode`; a CDB that does not decode, or a
//! command the disk does not implement, gets CHECK CONDITION (ILLEGAL REQUEST 20/00 or
//! 24/00), never a panic. Written blocks are kept in memory; never-written blocks read as
//! the profile's [`DataPattern`].
//!
//! A profile with an NVMe bridge ([`Profile::nvme_bridge`]) routes the bridge opcodes (A1h,
//! E4h, E6h) and ATA PASS-THROUGH(16) to [`super::nvme_bridge`] before decoding, after the
//! same unit attention and peripheral qualifier checks as any other command.
//!
//! Time: the `now` of the first command is power-on. A spin-up of 30 s answers NOT READY
//! 04/01 to medium-access commands until `power-on + 30 s`.

use std::collections::BTreeMap;

use sbc_core::time::Instant;
use sbc_core::wire::cdb::{self, CdbDecodeError, Command, Opcode, ScsiCommand};
use sbc_core::wire::status::TaskStatus;

use super::nvme_bridge::{self, Tunnel};
use super::pages::{self, ModeForm, ModeRequest, SupportedCommand};
use super::sense_key::*;
use super::SenseFormat;
use super::{copy_data_in, DataPattern, NoMediumCapacity, Profile, Rc10Quirk, SatQuirk, SenseData};
use crate::target::{Completion, Target};

/// A simulated SBC logical unit.
#[derive(Debug, Clone)]
pub struct Disk {
    profile: Profile,
    /// `None` until the first command (power-on happens then).
    power_on: Option<Instant>,
    /// A unit attention waiting to be reported.
    unit_attention: Option<SenseData>,
    /// False while the unit is stopped (needs START UNIT).
    started: bool,
    /// NOT READY 04/01 until this instant.
    ready_at: Instant,
    /// Blocks written so far, by LBA.
    written: BTreeMap<u64, Box<[u8]>>,
    /// Commands executed.
    commands: u64,
    /// The NVMe bridge's exchange in progress (JMicron's three steps).
    tunnel: Tunnel,
}

/// The commands the disk implements, as it sees them after decoding.
enum Op {
    TestUnitReady,
    RequestSense {
        desc: bool,
        alloc: u64,
    },
    Inquiry {
        page: Option<u8>,
        alloc: u64,
    },
    ReadCapacity10,
    ReadCapacity16 {
        alloc: u64,
    },
    ModeSense {
        req: ModeRequest,
        alloc: u64,
    },
    StartStop {
        start: bool,
        power_condition: u8,
    },
    Read {
        lba: u64,
        blocks: u64,
    },
    Write {
        lba: u64,
        blocks: u64,
    },
    SynchronizeCache {
        lba: u64,
        blocks: u64,
    },
    Unmap {
        list_length: u64,
    },
    ReportLuns {
        alloc: u64,
    },
    Rsoc {
        options: u8,
        rctd: bool,
        opcode: u8,
        service_action: u16,
        alloc: u64,
    },
    AtaPassThrough {
        ck_cond: bool,
        command: u8,
        features: u16,
        lba: u64,
    },
    /// A CDB for the NVMe bridge's tunnel ([`nvme_bridge::routes`]).
    NvmeBridge,
    /// Decoded, but not implemented by this disk (or this profile).
    Unsupported,
}

const INVALID_OPCODE: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x20, 0x00);
const INVALID_FIELD: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x24, 0x00);
const LBA_OUT_OF_RANGE: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x21, 0x00);
const POWER_ON: SenseData = SenseData::new(UNIT_ATTENTION, 0x29, 0x00);
const BECOMING_READY: SenseData = SenseData::new(NOT_READY, 0x04, 0x01);
const NEEDS_START: SenseData = SenseData::new(NOT_READY, 0x04, 0x02);
const NO_MEDIUM: SenseData = SenseData::new(NOT_READY, 0x3A, 0x00);
const WRITE_PROTECTED: SenseData = SenseData::new(DATA_PROTECT, 0x27, 0x00);
const LUN_NOT_SUPPORTED: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x25, 0x00);

impl Disk {
    /// A powered-off disk; it powers on at its first command.
    pub fn new(profile: Profile) -> Self {
        Disk {
            profile,
            power_on: None,
            unit_attention: None,
            started: false,
            ready_at: Instant::default(),
            written: BTreeMap::new(),
            commands: 0,
            tunnel: Tunnel::default(),
        }
    }

    /// The profile it was built from.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Commands executed so far.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    /// Removes power: the next command powers the disk on again (unit attention, spin-up,
    /// START UNIT requirement). Written data survives, as on a real disk.
    pub fn power_cycle(&mut self) {
        self.power_on = None;
        self.unit_attention = None;
        self.tunnel.reset();
    }

    fn power_on_at(&mut self, now: Instant) {
        let b = &self.profile.behaviour;
        self.power_on = Some(now);
        self.unit_attention = b.power_on_unit_attention.then_some(POWER_ON);
        self.started = !b.needs_start_unit;
        self.ready_at = now + b.spin_up;
    }

    fn format(&self) -> SenseFormat {
        self.profile.sense_format
    }

    fn check(&self, sense: SenseData) -> Completion {
        Completion::task_complete(TaskStatus::CHECK_CONDITION, 0, sense.to_bytes(self.format()))
    }

    fn good(realized: u64) -> Completion {
        Completion::task_complete(TaskStatus::GOOD, realized, Vec::new())
    }

    /// The NOT READY condition a medium-access command meets now, if any.
    fn not_ready(&self, now: Instant) -> Option<SenseData> {
        if self.profile.behaviour.no_medium {
            Some(NO_MEDIUM)
        } else if !self.started {
            Some(NEEDS_START)
        } else if now < self.ready_at {
            Some(BECOMING_READY)
        } else {
            None
        }
    }

    /// Maps the decoder's view onto what this profile implements; a CDB that does not
    /// decode becomes the sense the device would return.
    fn classify(&self, cdb: &[u8]) -> Result<Op, SenseData> {
        let b = &self.profile.behaviour;
        let block_length = self.profile.capacity.block_length.max(1);
        if self.profile.nvme_bridge.is_some()
            && cdb.first().is_some_and(|&op| nvme_bridge::routes(op))
        {
            return Ok(Op::NvmeBridge);
        }
        let command = cdb::decode(cdb, block_length).map_err(|e| decode_error_sense(&e))?;
        fn n<T: Into<u64>>(v: T) -> u64 {
            v.into()
        }
        Ok(match command {
            ScsiCommand::TestUnitReady(_) => Op::TestUnitReady,
            ScsiCommand::RequestSense(c) => {
                Op::RequestSense { desc: c.descriptor_format, alloc: n(c.allocation_length) }
            }
            ScsiCommand::Inquiry(c) => {
                Op::Inquiry { page: c.evpd_page, alloc: n(c.allocation_length) }
            }
            ScsiCommand::ReadCapacity10(_) => Op::ReadCapacity10,
            ScsiCommand::ReadCapacity16(c) if b.rc16_supported => {
                Op::ReadCapacity16 { alloc: n(c.allocation_length) }
            }
            ScsiCommand::ModeSense6(c) => Op::ModeSense {
                req: ModeRequest {
                    form: ModeForm::Six,
                    dbd: c.dbd,
                    page_control: c.page_control as u8,
                    page: c.page_code,
                    subpage: c.subpage_code,
                },
                alloc: n(c.allocation_length),
            },
            ScsiCommand::ModeSense10(c) if b.mode_sense_10_supported => Op::ModeSense {
                req: ModeRequest {
                    form: ModeForm::Ten { llbaa: c.llbaa },
                    dbd: c.dbd,
                    page_control: c.page_control as u8,
                    page: c.page_code,
                    subpage: c.subpage_code,
                },
                alloc: n(c.allocation_length),
            },
            ScsiCommand::StartStopUnit(c) => {
                Op::StartStop { start: c.start, power_condition: c.power_condition }
            }
            ScsiCommand::Read6(c) => Op::Read { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Read10(c) => Op::Read { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Read12(c) => Op::Read { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Read16(c) => Op::Read { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Write6(c) => Op::Write { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Write10(c) => Op::Write { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Write12(c) => Op::Write { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::Write16(c) => Op::Write { lba: c.lba, blocks: n(c.blocks) },
            ScsiCommand::SynchronizeCache10(c) => {
                Op::SynchronizeCache { lba: c.lba, blocks: n(c.blocks) }
            }
            ScsiCommand::SynchronizeCache16(c) => {
                Op::SynchronizeCache { lba: c.lba, blocks: n(c.blocks) }
            }
            ScsiCommand::Unmap(c) if self.serves_unmap() => {
                Op::Unmap { list_length: n(c.parameter_list_length) }
            }
            ScsiCommand::ReportLuns(c) if b.report_luns_supported => {
                Op::ReportLuns { alloc: n(c.allocation_length) }
            }
            ScsiCommand::ReportSupportedOperationCodes(c) if b.rsoc_supported => Op::Rsoc {
                options: c.reporting_options,
                rctd: c.rctd,
                opcode: c.requested_operation_code,
                service_action: c.requested_service_action,
                alloc: n(c.allocation_length),
            },
            ScsiCommand::AtaPassThrough16(c)
                if self.serves_ata() && self.profile.behaviour.sat != SatQuirk::TwelveOnly =>
            {
                Op::AtaPassThrough {
                    ck_cond: c.ck_cond,
                    command: c.command,
                    features: c.features,
                    lba: c.lba,
                }
            }
            ScsiCommand::AtaPassThrough12(c) if self.serves_ata() => Op::AtaPassThrough {
                ck_cond: c.ck_cond,
                command: c.command,
                features: c.features,
                lba: c.lba,
            },
            _ => Op::Unsupported,
        })
    }

    /// UNMAP is implemented when the profile says so: LBPME in RC16 and LBPU in VPD B2.
    fn serves_unmap(&self) -> bool {
        self.profile.capacity.lbpme
            && self.profile.vpd.as_ref().and_then(|v| v.provisioning).is_some_and(|p| p.lbpu)
    }

    fn serves_ata(&self) -> bool {
        self.profile.behaviour.ata_pass_through
            && self.profile.vpd.as_ref().is_some_and(|v| v.ata_information.is_some())
    }

    fn run(&mut self, request: Op, command: &Command, data: &mut [u8], now: Instant) -> Completion {
        // Data-in never exceeds what the caller expects, whatever the CDB says.
        let expected = command.transfer_length;
        let reply = |response: &[u8], alloc: u64, data: &mut [u8]| {
            Disk::good(copy_data_in(response, alloc.min(expected), data))
        };
        match request {
            Op::Unsupported => self.check(INVALID_OPCODE),
            Op::NvmeBridge => {
                let Some(bridge) = &self.profile.nvme_bridge else {
                    return self.check(INVALID_OPCODE);
                };
                match self.tunnel.execute(bridge, command.cdb.as_bytes(), expected, data) {
                    Ok(realized) => Disk::good(realized),
                    Err(sense) => self.check(sense),
                }
            }
            Op::TestUnitReady => match self.not_ready(now) {
                Some(sense) => self.check(sense),
                None => Disk::good(0),
            },
            Op::RequestSense { desc, alloc } => {
                // SPC-5 §6.39: the pending unit attention, else the current NOT READY cause,
                // else NO SENSE; the descriptor-only device ignores DESC=0.
                let format = if desc { SenseFormat::Descriptor } else { self.format() };
                let sense = self
                    .unit_attention
                    .take()
                    .or_else(|| self.not_ready(now))
                    .map_or_else(|| pages::no_sense(format), |s| s.to_bytes(format));
                reply(&sense, alloc, data)
            }
            Op::Inquiry { page: None, alloc } => {
                reply(&pages::standard_inquiry(&self.profile), alloc, data)
            }
            Op::Inquiry { page: Some(code), alloc } => match pages::vpd_page(&self.profile, code) {
                Some(page) => reply(&page, alloc, data),
                None => self.check(SenseData { field_pointer: Some((2, None)), ..INVALID_FIELD }),
            },
            Op::ReadCapacity10 => {
                let b = self.profile.behaviour;
                let c = self.profile.capacity;
                if b.no_medium && b.no_medium_capacity == NoMediumCapacity::AllOnes {
                    return reply(&pages::read_capacity_10(u32::MAX, 512), 8, data);
                }
                if let Some(sense) = self.not_ready(now) {
                    return self.check(sense);
                }
                let last = self.returned_lba();
                let returned = match b.rc10 {
                    Rc10Quirk::WrapsPast2TiB => last as u32,
                    Rc10Quirk::Correct => u32::try_from(last).unwrap_or(u32::MAX),
                };
                reply(&pages::read_capacity_10(returned, c.block_length), 8, data)
            }
            Op::ReadCapacity16 { alloc } => {
                if let Some(sense) = self.not_ready(now) {
                    return self.check(sense);
                }
                reply(&pages::read_capacity_16(&self.profile, self.returned_lba()), alloc, data)
            }
            Op::ModeSense { req, alloc } => match pages::mode_parameters(&self.profile, &req) {
                Ok(bytes) => reply(&bytes, alloc, data),
                Err(sense) => self.check(sense),
            },
            Op::StartStop { start, power_condition } => {
                self.start_stop(start, power_condition, now)
            }
            Op::Read { lba, blocks } => self.read(lba, blocks, expected, data, now),
            Op::Write { lba, blocks } => self.write(lba, blocks, data, now),
            Op::SynchronizeCache { lba, blocks } => {
                if let Some(sense) = self.not_ready(now) {
                    self.check(sense)
                } else if self.out_of_range(lba, blocks) {
                    self.check(LBA_OUT_OF_RANGE)
                } else {
                    Disk::good(0)
                }
            }
            Op::Unmap { list_length } => {
                let n = list_length.min(expected).min(data.len() as u64) as usize;
                self.unmap(&data[..n], now)
            }
            Op::ReportLuns { alloc } => reply(&pages::report_luns(), alloc, data),
            Op::Rsoc { options, rctd, opcode, service_action, alloc } => {
                match self.rsoc(options, rctd, opcode, service_action) {
                    Ok(bytes) => reply(&bytes, alloc, data),
                    Err(sense) => self.check(sense),
                }
            }
            Op::AtaPassThrough { ck_cond, command, features, lba } => {
                self.ata(ck_cond, command, features, lba, expected, data)
            }
        }
    }

    /// The RETURNED LOGICAL BLOCK ADDRESS before any RC10 quirk: the last LBA, or the block
    /// count on the off-by-one bridge.
    fn returned_lba(&self) -> u64 {
        let blocks = self.profile.capacity.blocks;
        if self.profile.behaviour.capacity_off_by_one {
            blocks
        } else {
            blocks.saturating_sub(1)
        }
    }

    fn out_of_range(&self, lba: u64, blocks: u64) -> bool {
        lba.checked_add(blocks).is_none_or(|end| end > self.profile.capacity.blocks)
    }

    fn start_stop(&mut self, start: bool, power_condition: u8, now: Instant) -> Completion {
        // POWER CONDITION 0 (START_VALID) obeys START; 1 (ACTIVE) starts; the idle and
        // standby conditions are accepted and change nothing the simulator models.
        let start = match power_condition {
            0 => start,
            1 => true,
            _ => return Disk::good(0),
        };
        if start && self.profile.behaviour.no_medium {
            return self.check(NO_MEDIUM);
        }
        if start && !self.started {
            self.started = true;
            self.ready_at = now + self.profile.behaviour.spin_up;
        } else if !start {
            self.started = false;
        }
        Disk::good(0)
    }

    fn read(
        &self,
        lba: u64,
        blocks: u64,
        expected: u64,
        data: &mut [u8],
        now: Instant,
    ) -> Completion {
        if let Some(sense) = self.not_ready(now) {
            return self.check(sense);
        }
        if self.out_of_range(lba, blocks) {
            return self.check(SenseData { information: Some(lba), ..LBA_OUT_OF_RANGE });
        }
        let bl = u64::from(self.profile.capacity.block_length);
        let limit = blocks.saturating_mul(bl).min(expected).min(data.len() as u64) as usize;
        let mut at = 0usize;
        let mut current = lba;
        while at < limit {
            let n = (bl as usize).min(limit - at);
            let out = &mut data[at..at + n];
            match self.written.get(&current) {
                Some(block) => out.copy_from_slice(&block[..n]),
                None => {
                    out.fill(0);
                    if self.profile.behaviour.pattern == DataPattern::LbaStamp {
                        let stamp = current.to_be_bytes();
                        let k = n.min(8);
                        out[..k].copy_from_slice(&stamp[..k]);
                    }
                }
            }
            at += n;
            current += 1;
        }
        Disk::good(limit as u64)
    }

    fn write(&mut self, lba: u64, blocks: u64, data: &[u8], now: Instant) -> Completion {
        if let Some(sense) = self.not_ready(now) {
            return self.check(sense);
        }
        if self.profile.mode.write_protected {
            return self.check(WRITE_PROTECTED);
        }
        if self.out_of_range(lba, blocks) {
            return self.check(SenseData { information: Some(lba), ..LBA_OUT_OF_RANGE });
        }
        let bl = self.profile.capacity.block_length as usize;
        // Only whole blocks the caller actually supplied are stored.
        let supplied = (data.len() / bl.max(1)) as u64;
        for i in 0..blocks.min(supplied) {
            let at = i as usize * bl;
            self.written.insert(lba + i, data[at..at + bl].into());
        }
        Disk::good(blocks.min(supplied) * bl as u64)
    }

    /// UNMAP (SBC-4 §5.32, table "UNMAP parameter list"): 0..=1 UNMAP DATA LENGTH, 2..=3
    /// UNMAP BLOCK DESCRIPTOR DATA LENGTH, then 16-byte descriptors (0..=7 LBA, 8..=11
    /// NUMBER OF LOGICAL BLOCKS). Unmapped blocks read back as the pattern (LBPRZ).
    fn unmap(&mut self, list: &[u8], now: Instant) -> Completion {
        if let Some(sense) = self.not_ready(now) {
            return self.check(sense);
        }
        if self.profile.mode.write_protected {
            return self.check(WRITE_PROTECTED);
        }
        if list.is_empty() {
            return Disk::good(0); // PARAMETER LIST LENGTH 0: nothing to do
        }
        if list.len() < 8 {
            return self.check(SenseData::new(ILLEGAL_REQUEST, 0x1A, 0x00));
        }
        let limits = self.profile.vpd.as_ref().and_then(|v| v.block_limits).unwrap_or_default();
        let declared = usize::from(u16::from_be_bytes([list[2], list[3]]));
        let descriptors = list[8..].chunks_exact(16).take(declared / 16);
        let invalid_parameter = SenseData::new(ILLEGAL_REQUEST, 0x26, 0x00);
        if limits.max_unmap_descriptor_count != 0
            && descriptors.len() as u64 > u64::from(limits.max_unmap_descriptor_count)
        {
            return self.check(invalid_parameter);
        }
        let mut ranges = Vec::new();
        for d in descriptors {
            let lba = u64::from_be_bytes(d[0..8].try_into().unwrap_or([0xFF; 8]));
            let count = u32::from_be_bytes(d[8..12].try_into().unwrap_or([0; 4]));
            if self.out_of_range(lba, count.into()) {
                return self.check(SenseData { information: Some(lba), ..LBA_OUT_OF_RANGE });
            }
            if limits.max_unmap_lba_count != 0 && count > limits.max_unmap_lba_count {
                return self.check(invalid_parameter);
            }
            ranges.push(lba..lba + u64::from(count));
        }
        for range in ranges {
            let mapped: Vec<u64> = self.written.range(range).map(|(&lba, _)| lba).collect();
            for lba in mapped {
                self.written.remove(&lba);
            }
        }
        Disk::good(list.len() as u64)
    }

    /// The commands this profile implements, in opcode order, with their CDB usage data.
    pub fn supported_commands(&self) -> Vec<SupportedCommand> {
        let b = &self.profile.behaviour;
        let sc = |opcode: Opcode, service_action, usage| SupportedCommand {
            opcode: opcode.0,
            service_action,
            usage,
        };
        let mut list = vec![
            sc(Opcode::TEST_UNIT_READY, None, &[0x00, 0, 0, 0, 0, 0x07][..]),
            sc(Opcode::REQUEST_SENSE, None, &[0x03, 0x01, 0, 0, 0xFF, 0x07]),
            sc(Opcode::READ_6, None, &[0x08, 0x1F, 0xFF, 0xFF, 0xFF, 0x07]),
            sc(Opcode::WRITE_6, None, &[0x0A, 0x1F, 0xFF, 0xFF, 0xFF, 0x07]),
            sc(Opcode::INQUIRY, None, &[0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x07]),
            sc(Opcode::MODE_SENSE_6, None, &[0x1A, 0x08, 0xFF, 0xFF, 0xFF, 0x07]),
            sc(Opcode::START_STOP_UNIT, None, &[0x1B, 0x01, 0, 0x0F, 0xF7, 0x07]),
            sc(Opcode::READ_CAPACITY_10, None, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0x07]),
            sc(Opcode::READ_10, None, &[0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0x07]),
            sc(Opcode::WRITE_10, None, &[0x2A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0x07]),
            sc(
                Opcode::SYNCHRONIZE_CACHE_10,
                None,
                &[0x35, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0x07],
            ),
        ];
        if self.serves_unmap() {
            let usage = &[0x42, 0x01, 0, 0, 0, 0, 0x1F, 0xFF, 0xFF, 0x07];
            list.push(sc(Opcode::UNMAP, None, usage));
        }
        if b.mode_sense_10_supported {
            list.push(sc(
                Opcode::MODE_SENSE_10,
                None,
                &[0x5A, 0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0x07],
            ));
        }
        if self.serves_ata() {
            let usage = &[
                0x85, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0xFF, 0x07,
            ];
            list.push(sc(Opcode::ATA_PASS_THROUGH_16, None, usage));
        }
        list.push(sc(
            Opcode::READ_16,
            None,
            &[
                0x88, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0, 0x07,
            ],
        ));
        list.push(sc(
            Opcode::WRITE_16,
            None,
            &[
                0x8A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0, 0x07,
            ],
        ));
        list.push(sc(
            Opcode::SYNCHRONIZE_CACHE_16,
            None,
            &[
                0x91, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0, 0x07,
            ],
        ));
        if b.rc16_supported {
            let usage = &[0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0x07];
            list.push(sc(
                Opcode::SERVICE_ACTION_IN_16,
                Some(Opcode::SA_READ_CAPACITY_16.into()),
                usage,
            ));
        }
        if b.report_luns_supported {
            list.push(sc(
                Opcode::REPORT_LUNS,
                None,
                &[0xA0, 0, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0x07],
            ));
        }
        if self.serves_ata() {
            let usage = &[0xA1, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0x07];
            list.push(sc(Opcode::ATA_PASS_THROUGH_12, None, usage));
        }
        let usage = &[0xA3, 0x0C, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0x07];
        list.push(sc(
            Opcode::MAINTENANCE_IN,
            Some(Opcode::SA_REPORT_SUPPORTED_OPERATION_CODES.into()),
            usage,
        ));
        list
    }

    /// REPORT SUPPORTED OPERATION CODES (SPC-5 §6.35): REPORTING OPTIONS 000b all commands,
    /// 001b one opcode without service actions, 010b opcode + service action, 011b either.
    fn rsoc(&self, options: u8, rctd: bool, opcode: u8, sa: u16) -> Result<Vec<u8>, SenseData> {
        let list = self.supported_commands();
        let bad = |byte| SenseData { field_pointer: Some((byte, None)), ..INVALID_FIELD };
        if options == 0 {
            return Ok(pages::rsoc_all(&list, rctd));
        }
        let has_sa = list.iter().any(|c| c.opcode == opcode && c.service_action.is_some());
        let found = list.iter().find(|c| {
            c.opcode == opcode && c.service_action.is_none_or(|s| s == sa || options == 1)
        });
        match options {
            1 if has_sa => Err(bad(3)),
            2 if found.is_some() && !has_sa => Err(bad(4)),
            1..=3 => Ok(pages::rsoc_one(found, rctd)),
            _ => Err(bad(2)),
        }
    }

    /// ATA PASS-THROUGH (SAT-4 §12.2): IDENTIFY DEVICE, SMART READ DATA / READ THRESHOLDS /
    /// RETURN STATUS and CHECK POWER MODE are answered from the profile; any other ATA
    /// command is aborted by the "drive" (ABORTED COMMAND with an ATA Status Return
    /// descriptor, ERROR = ABRT).
    fn ata(
        &self,
        ck_cond: bool,
        command: u8,
        features: u16,
        lba: u64,
        expected: u64,
        data: &mut [u8],
    ) -> Completion {
        let Some(ata) = self.profile.vpd.as_ref().and_then(|v| v.ata_information.as_ref()) else {
            return self.check(INVALID_OPCODE);
        };
        let smart_lba_ok = (lba >> 8) & 0xFFFF == 0xC24F;
        let (response, count, out_lba): (Option<&[u8]>, u16, u64) = match (command, features as u8)
        {
            (0xEC, _) => (Some(&ata.identify), 1, 0),
            (0xB0, 0xD0) if smart_lba_ok => (ata.smart_data.as_deref(), 1, 0xC24F00),
            (0xB0, 0xD1) if smart_lba_ok => (ata.smart_thresholds.as_deref(), 1, 0xC24F00),
            // SMART RETURN STATUS: LBA High/Mid C2h/4Fh healthy, 2Ch/F4h threshold exceeded.
            (0xB0, 0xDA) if smart_lba_ok => {
                let exceeded = ata.smart_status == Some(false);
                (Some(&[][..]), 0, if exceeded { 0x2CF400 } else { 0xC24F00 })
            }
            (0xE5, _) => (Some(&[][..]), 0xFF, 0), // active or idle
            _ => (None, 0, 0),
        };
        let Some(response) = response else {
            // Status 51h (DRDY|ERR), error 04h (ABRT).
            let registers = AtaRegisters { error: 0x04, count: 0, lba: 0, status: 0x51 };
            let sense = ata_sense(false, (ABORTED_COMMAND, 0x00, 0x00), registers);
            return Completion::task_complete(TaskStatus::CHECK_CONDITION, 0, sense);
        };
        let realized = copy_data_in(response, expected, data);
        let quirk = self.profile.behaviour.sat;
        if ck_cond && quirk != SatQuirk::NoCkCond {
            // RECOVERED ERROR, ATA PASS THROUGH INFORMATION AVAILABLE (00/1D).
            let out_lba = if quirk == SatQuirk::StaleRegisters { 0 } else { out_lba };
            let registers = AtaRegisters { error: 0, count, lba: out_lba, status: 0x50 };
            let fixed = quirk == SatQuirk::FixedSense;
            let sense = ata_sense(fixed, (RECOVERED_ERROR, 0x00, 0x1D), registers);
            Completion::task_complete(TaskStatus::CHECK_CONDITION, realized, sense)
        } else {
            Disk::good(realized)
        }
    }
}

/// The ATA registers a SAT layer returns in sense data.
#[derive(Clone, Copy)]
struct AtaRegisters {
    error: u8,
    count: u16,
    lba: u64,
    status: u8,
}

/// Sense carrying the ATA registers, in either format:
///
/// - descriptor (SAT-4 table "ATA Status Return sense data descriptor"): 0 type 09h, 1 length
///   0Ch, 2 EXTEND, 3 ERROR, 4..=5 COUNT, 6..=11 LBA bytes interleaved (31:24, 7:0, 39:32,
///   15:8, 47:40, 23:16), 12 DEVICE, 13 STATUS;
/// - fixed (SAT-4 table "Fixed format sense data for ATA PASS-THROUGH"): INFORMATION = ERROR,
///   STATUS, DEVICE, COUNT (7:0); byte 8 EXTEND and the upper-bytes-nonzero bits;
///   COMMAND-SPECIFIC INFORMATION bytes 9..=11 = LBA (7:0), (15:8), (23:16).
fn ata_sense(fixed: bool, (key, asc, ascq): (u8, u8, u8), r: AtaRegisters) -> Vec<u8> {
    let l = r.lba.to_le_bytes();
    if fixed {
        let mut s = vec![0u8; 18];
        s[0] = 0x70 | 0x80; // current, VALID
        s[2] = key;
        s[3..7].copy_from_slice(&[r.error, r.status, 0x40, r.count.to_le_bytes()[0]]);
        s[7] = 10;
        s[9..12].copy_from_slice(&[l[0], l[1], l[2]]);
        s[12] = asc;
        s[13] = ascq;
        return s;
    }
    let [ch, cl] = r.count.to_be_bytes();
    let mut s = vec![0x72, key, asc, ascq, 0, 0, 0, 14];
    s.extend_from_slice(&[
        0x09, 0x0C, 0x00, r.error, ch, cl, l[3], l[0], l[4], l[1], l[5], l[2], 0x40, r.status,
    ]);
    s
}

/// The sense for a CDB the decoder refused: unknown opcode or wrong length -> INVALID
/// COMMAND OPERATION CODE; a bad field -> INVALID FIELD IN CDB with its byte.
fn decode_error_sense(error: &CdbDecodeError) -> SenseData {
    match *error {
        CdbDecodeError::InvalidField { byte, .. } => {
            SenseData { field_pointer: Some((byte.into(), None)), ..INVALID_FIELD }
        }
        CdbDecodeError::Refused(_) => INVALID_FIELD,
        CdbDecodeError::Empty | CdbDecodeError::Truncated { .. } => INVALID_OPCODE,
    }
}

impl Target for Disk {
    fn execute(&mut self, command: &Command, data: &mut [u8], now: Instant) -> Completion {
        self.commands += 1;
        if self.power_on.is_none() {
            self.power_on_at(now);
        }
        let request = match self.classify(command.cdb.as_bytes()) {
            Ok(request) => request,
            Err(sense) => return self.check(sense),
        };
        // SAM-5 §5.14: INQUIRY and REPORT LUNS neither report nor clear a unit attention;
        // REQUEST SENSE returns it as its data; anything else is terminated with it.
        let exempt =
            matches!(request, Op::Inquiry { .. } | Op::ReportLuns { .. } | Op::RequestSense { .. });
        if !exempt {
            if let Some(ua) = self.unit_attention.take() {
                return self.check(ua);
            }
            // A LUN whose qualifier says no device is connected serves only INQUIRY,
            // REQUEST SENSE and REPORT LUNS (SPC-5 §6.7.2; tgtd answers 25/00 the same way).
            if self.profile.inquiry.peripheral_qualifier != 0 {
                return self.check(LUN_NOT_SUPPORTED);
            }
        }
        self.run(request, command, data, now)
    }
}
