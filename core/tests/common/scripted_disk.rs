//! The scripted disk the engine tests drive (core/tests/attach.rs, attach_nvme.rs), in
//! virtual time.
//!
//! The responder answers INQUIRY, VPD, READ CAPACITY, READ(10) and MODE SENSE from byte
//! arrays built here after the SPC-5 / SBC-4 tables each builder names; a per-scenario hook
//! overrides any answer (NOT READY for a while, unit attentions, BUSY, a lying realized
//! count, an NVMe bridge's tunnel). Every command costs 1 ms of virtual time and waits are
//! skipped. The host checks what the engine promises on every command.
#![allow(dead_code)]
use sbc_core::attach::drive::Exchange;
use sbc_core::attach::{
    drive, is_non_destructive, is_read_only_tunnel, Config, Engine, Executed, Host, Poll,
    RefuseReason, Report, Request, Verdict, MAX_TRANSFER_LENGTH,
};
use sbc_core::sense::{SenseCode, SenseKey};
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::nvme_bridge::NvmeBridge;
use sbc_core::wire::cdb::DataDirection;
use sbc_core::wire::status::{TaskOutcome, TaskStatus};

// ---------------------------------------------------------------------------------------
// Byte builders (SPC-5 / SBC-4 / SAT-4 layouts)
// ---------------------------------------------------------------------------------------

/// Standard INQUIRY data (SPC-5 §6.7.2, table "Standard INQUIRY data format"), `total`
/// bytes long (ADDITIONAL LENGTH = total - 5).
pub fn inquiry(
    byte0: u8,
    rmb: bool,
    version: u8,
    protect: bool,
    ids: (&str, &str, &str),
    total: usize,
) -> Vec<u8> {
    let mut b = vec![0u8; total];
    b[0] = byte0;
    b[1] = if rmb { 0x80 } else { 0 };
    b[2] = version;
    b[3] = 0x02; // RESPONSE DATA FORMAT 2
    b[4] = (total - 5) as u8;
    b[5] = u8::from(protect);
    b[7] = 0x02; // CMDQUE
    let field = |s: &str, n: usize| {
        let mut f = vec![b' '; n];
        f[..s.len()].copy_from_slice(s.as_bytes());
        f
    };
    b[8..16].copy_from_slice(&field(ids.0, 8));
    b[16..32].copy_from_slice(&field(ids.1, 16));
    b[32..36].copy_from_slice(&field(ids.2, 4));
    b
}

/// A VPD page (SPC-5 §7.7.1, table "VPD page format"): PDT 0, PAGE CODE, PAGE LENGTH.
pub fn vpd(page: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0, page];
    b.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    b.extend_from_slice(payload);
    b
}

/// Device Identification (83h) with one NAA IEEE Registered designator (SPC-5 §7.7.6.6):
/// code set binary, association LU, type 3, 8 bytes.
pub fn vpd83_naa(naa: [u8; 8]) -> Vec<u8> {
    let mut p = vec![0x01, 0x03, 0x00, 0x08];
    p.extend_from_slice(&naa);
    vpd(0x83, &p)
}

/// Block Limits (B0h, SBC-4 §6.6.4): MAXIMUM TRANSFER LENGTH at byte 8, OPTIMAL TRANSFER
/// LENGTH at 12, MAXIMUM UNMAP LBA COUNT at 20, MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT at 24;
/// PAGE LENGTH 3Ch.
pub fn vpd_b0(max: u32, opt: u32, max_unmap: u32, max_descriptors: u32) -> Vec<u8> {
    let mut p = vec![0u8; 0x3c];
    p[4..8].copy_from_slice(&max.to_be_bytes());
    p[8..12].copy_from_slice(&opt.to_be_bytes());
    p[16..20].copy_from_slice(&max_unmap.to_be_bytes());
    p[20..24].copy_from_slice(&max_descriptors.to_be_bytes());
    vpd(0xB0, &p)
}

/// Block Device Characteristics (B1h, SBC-4 §6.6.2): MEDIUM ROTATION RATE at byte 4,
/// NOMINAL FORM FACTOR in byte 7.
pub fn vpd_b1(rotation: u16, form: u8) -> Vec<u8> {
    let mut p = vec![0u8; 0x3c];
    p[0..2].copy_from_slice(&rotation.to_be_bytes());
    p[3] = form;
    vpd(0xB1, &p)
}

/// Logical Block Provisioning (B2h, SBC-4 §6.6.5): byte 5 = LBPU(7) LBPWS(6) LBPWS10(5).
pub fn vpd_b2(flags: u8) -> Vec<u8> {
    vpd(0xB2, &[0, flags, 0x02, 0])
}

/// ATA Information (89h, SAT-4 §12.4.2): SAT vendor/product/revision, COMMAND CODE ECh and
/// 512 bytes of IDENTIFY DEVICE data with a model string (words 27..46, bytes swapped per
/// ACS-4 §3.4.9) and SMART supported (word 82 bit 0) and enabled (word 85 bit 0).
pub fn vpd89(model: &str) -> Vec<u8> {
    let mut p = vec![0u8; 0x238];
    p[4..12].copy_from_slice(b"linux   ");
    p[12..28].copy_from_slice(b"libata          ");
    p[28..32].copy_from_slice(b"3.00");
    p[52] = 0xEC;
    let id = &mut p[56..56 + 512];
    let mut m = [b' '; 40];
    m[..model.len()].copy_from_slice(model.as_bytes());
    for (i, pair) in m.chunks(2).enumerate() {
        id[54 + 2 * i] = pair[1];
        id[54 + 2 * i + 1] = pair[0];
    }
    id[82 * 2] = 0x01; // word 82 bit 0: SMART supported
    id[83 * 2 + 1] = 0x40; // word 83: bit 14 set (words 82..84 valid)
    id[85 * 2] = 0x01; // word 85 bit 0: SMART enabled
    id[217 * 2] = 0x01; // word 217: non-rotating
    vpd(0x89, &p)
}

/// READ CAPACITY(10) data (SBC-4 §5.20.2): RETURNED LBA, BLOCK LENGTH.
pub fn rc10(last_lba: u32, length: u32) -> Vec<u8> {
    let mut b = last_lba.to_be_bytes().to_vec();
    b.extend_from_slice(&length.to_be_bytes());
    b
}

/// READ CAPACITY(16) data (SBC-4 §5.21.2): RETURNED LBA, BLOCK LENGTH, byte 13 LBPPBE,
/// byte 14 LBPME(7) LBPRZ(6) LALBA(13..8), byte 15 LALBA(7..0).
pub fn rc16(last_lba: u64, length: u32, lbppbe: u8, lbpme: bool, lalba: u16) -> Vec<u8> {
    let mut b = vec![0u8; 32];
    b[0..8].copy_from_slice(&last_lba.to_be_bytes());
    b[8..12].copy_from_slice(&length.to_be_bytes());
    b[13] = lbppbe;
    b[14] = (u8::from(lbpme) << 7) | (lbpme as u8) << 6 | (lalba >> 8) as u8 & 0x3f;
    b[15] = lalba as u8;
    b
}

/// The Caching mode page (SBC-4 §6.5.5): PAGE CODE 08h, PAGE LENGTH 12h, byte 2 WCE(2) RCD(0).
pub fn caching_page(wce: bool, rcd: bool) -> Vec<u8> {
    let mut p = vec![0u8; 20];
    p[0] = 0x08;
    p[1] = 0x12;
    p[2] = u8::from(wce) << 2 | u8::from(rcd);
    p
}

/// The Control mode page (SPC-5 §7.5.10): PAGE CODE 0Ah, PAGE LENGTH 0Ah.
pub fn control_page() -> Vec<u8> {
    let mut p = vec![0u8; 12];
    p[0] = 0x0A;
    p[1] = 0x0A;
    p
}

/// Fixed-format sense (SPC-5 §4.4.3): 70h, SENSE KEY, ADDITIONAL SENSE LENGTH 10, ASC, ASCQ.
pub fn sense(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    s
}

// ---------------------------------------------------------------------------------------
// The scripted disk
// ---------------------------------------------------------------------------------------

/// One answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub outcome: TaskOutcome,
    pub data: Vec<u8>,
    pub sense: Vec<u8>,
    /// Realized count override (default: the bytes of `data` that fit the allocation).
    pub realized: Option<u64>,
}

impl Reply {
    pub fn good(data: Vec<u8>) -> Reply {
        Reply { outcome: TaskOutcome::GOOD, data, sense: vec![], realized: None }
    }
    pub fn check(key: u8, asc: u8, ascq: u8) -> Reply {
        let outcome = TaskOutcome::Complete(TaskStatus::CHECK_CONDITION);
        Reply { outcome, sense: sense(key, asc, ascq), ..Reply::good(vec![]) }
    }
    pub fn status(status: TaskStatus) -> Reply {
        Reply { outcome: TaskOutcome::Complete(status), ..Reply::good(vec![]) }
    }
}

pub type Hook = Box<dyn FnMut(&[u8], Instant, &mut State) -> Option<Reply>>;

/// What the disk remembers between commands.
#[derive(Default)]
pub struct State {
    pub started: bool,
    pub count: usize,
    /// The data-out of the command being answered (JMicron's command block).
    pub data_out: Vec<u8>,
}

pub struct Disk {
    pub inquiry: Vec<u8>,
    /// VPD pages by code; page 00h is built from the list. `None`: EVPD is rejected.
    pub vpd: Option<Vec<Vec<u8>>>,
    pub rc10: Option<Vec<u8>>,
    pub rc16: Option<Vec<u8>>,
    pub mode10: bool,
    pub wp: bool,
    pub dpofua: bool,
    pub pages: Vec<u8>,
    pub hook: Option<Hook>,
    pub state: State,
}

pub const INVALID_OPCODE: (u8, u8, u8) = (0x05, 0x20, 0x00);
pub const INVALID_FIELD: (u8, u8, u8) = (0x05, 0x24, 0x00);

impl Disk {
    /// A healthy SPC-4 SSD: 96-byte INQUIRY, VPD 80/83/B0/B1/B2, RC16 with thin
    /// provisioning, MODE SENSE(10) with Caching (WCE) and Control pages, DPOFUA.
    pub fn healthy() -> Disk {
        Disk {
            inquiry: inquiry(0x00, false, 0x06, false, ("ACME", "FastDisk 9000", "1.0"), 96),
            vpd: Some(vec![
                vpd(0x80, b"  SN0001234  "),
                vpd83_naa([0x50, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd]),
                vpd_b0(0x4000, 0x80, 0x1000, 0x10),
                vpd_b1(0x0001, 0x03),
                vpd_b2(0x80),
            ]),
            rc10: Some(rc10(0x00FF_FFFF, 512)),
            rc16: Some(rc16(0x3FFF_FFFF, 512, 3, true, 0)),
            mode10: true,
            wp: false,
            dpofua: true,
            pages: [caching_page(true, false), control_page()].concat(),
            hook: None,
            state: State::default(),
        }
    }

    pub fn with_hook(
        mut self,
        hook: impl FnMut(&[u8], Instant, &mut State) -> Option<Reply> + 'static,
    ) -> Disk {
        self.hook = Some(Box::new(hook));
        self
    }

    pub fn execute(&mut self, cdb: &[u8], now: Instant) -> Reply {
        self.state.count += 1;
        if cdb[0] == 0x1B {
            self.state.started = true;
        }
        if let Some(hook) = self.hook.as_mut() {
            if let Some(r) = hook(cdb, now, &mut self.state) {
                return r;
            }
        }
        let err = |(k, a, q): (u8, u8, u8)| Reply::check(k, a, q);
        match cdb[0] {
            0x00 | 0x1B => Reply::good(vec![]),
            0x12 if cdb[1] & 1 == 0 => Reply::good(self.inquiry.clone()),
            0x12 => match &self.vpd {
                None => err(INVALID_FIELD),
                Some(pages) if cdb[2] == 0 => {
                    let list: Vec<u8> =
                        std::iter::once(0).chain(pages.iter().map(|p| p[1])).collect();
                    Reply::good(vpd(0, &list))
                }
                Some(pages) => match pages.iter().find(|p| p[1] == cdb[2]) {
                    Some(p) => Reply::good(p.clone()),
                    None => err(INVALID_FIELD),
                },
            },
            0x25 => self.rc10.clone().map_or_else(|| err(INVALID_OPCODE), Reply::good),
            0x9E => self.rc16.clone().map_or_else(|| err(INVALID_OPCODE), Reply::good),
            0x28 => Reply::good(vec![0u8; 4096]),
            0x5A if !self.mode10 => err(INVALID_OPCODE),
            0x5A | 0x1A => {
                let page = cdb[2] & 0x3f;
                let pages = if page == 0x3f {
                    self.pages.clone()
                } else {
                    let mut rest = &self.pages[..];
                    let mut found = None;
                    while rest.len() >= 2 {
                        let len = 2 + rest[1] as usize;
                        if rest[0] & 0x3f == page {
                            found = Some(rest[..len].to_vec());
                        }
                        rest = &rest[len..];
                    }
                    match found {
                        Some(p) => p,
                        None => return err(INVALID_FIELD),
                    }
                };
                let dsp = u8::from(self.wp) << 7 | u8::from(self.dpofua) << 4;
                // Mode parameter header (SPC-5 §7.5.5/§7.5.6) + one short block descriptor.
                let bd = [0u8, 0, 0, 0, 0, 0, 2, 0];
                let mut d = if cdb[0] == 0x1A {
                    vec![(3 + bd.len() + pages.len()) as u8, 0, dsp, bd.len() as u8]
                } else {
                    let n = (6 + bd.len() + pages.len()) as u16;
                    let [h, l] = n.to_be_bytes();
                    vec![h, l, 0, dsp, 0, 0, 0, bd.len() as u8]
                };
                d.extend_from_slice(&bd);
                d.extend_from_slice(&pages);
                Reply::good(d)
            }
            _ => err(INVALID_OPCODE),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The driver loop (what the shim does, in virtual time)
// ---------------------------------------------------------------------------------------

pub struct Outcome {
    pub verdict: Verdict,
    pub report: Report,
    pub cdbs: Vec<Vec<u8>>,
    pub actions: Vec<String>,
    /// `(exclusive, ends_exclusive)` of each command.
    pub access: Vec<(bool, bool)>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn count(&self, opcode: u8) -> usize {
        self.cdbs.iter().filter(|c| c[0] == opcode).count()
    }
}

/// The scripted disk as the drive loop's host, on a virtual clock: every command costs
/// 1 ms, waits are skipped. It checks what the engine promises on every command.
pub struct ScriptHost<'d> {
    pub disk: &'d mut Disk,
    pub now: Instant,
    pub cdbs: Vec<Vec<u8>>,
    pub actions: Vec<String>,
    /// `(exclusive, ends_exclusive)` of each command.
    pub access: Vec<(bool, bool)>,
    /// Services suspended, as the shim keeps the flag (sbc_core.h §Exclusive access).
    pub suspended: bool,
}

impl Host for ScriptHost<'_> {
    fn now(&mut self) -> Instant {
        self.now
    }

    fn execute(&mut self, req: &Request, data: &mut [u8], sense: &mut [u8]) -> Executed {
        let cdb = req.command.cdb.as_bytes().to_vec();
        // The NVMe bridge tunnels pass their own rule, for the bridge the quirks name, and
        // are always sent with services suspended.
        let data_out: &[u8] = match req.command.direction {
            DataDirection::Out => data,
            _ => &[],
        };
        let tunnel = [NvmeBridge::Jmicron, NvmeBridge::Asmedia, NvmeBridge::Realtek]
            .into_iter()
            .any(|b| is_read_only_tunnel(b, &cdb, data_out));
        assert!(is_non_destructive(&cdb) || tunnel, "destructive CDB emitted: {cdb:02x?}");
        assert_eq!(req.exclusive, tunnel, "exclusive iff a tunnel command: {cdb:02x?}");
        if req.exclusive {
            self.suspended = true;
        } else {
            assert!(!self.suspended, "an exchange left unfinished before {cdb:02x?}");
        }
        self.access.push((req.exclusive, req.ends_exclusive));
        self.disk.state.data_out = data_out.to_vec();
        // 22 sense bytes for ATA PASS-THROUGH (room for the ATA Status Return descriptor),
        // 18 for everything else.
        let expected = if matches!(cdb[0], 0x85 | 0xA1) { 22 } else { 18 };
        assert_eq!(req.sense_length, expected);
        assert_eq!(sense.len(), usize::from(expected));
        assert!(data.len() <= MAX_TRANSFER_LENGTH);
        let reply = self.disk.execute(&cdb, self.now);
        let n = reply.data.len().min(data.len());
        data[..n].copy_from_slice(&reply.data[..n]);
        let sense_length = reply.sense.len().min(sense.len());
        sense[..sense_length].copy_from_slice(&reply.sense[..sense_length]);
        self.now = self.now + Duration::from_millis(1);
        if req.ends_exclusive {
            self.suspended = false;
        }
        self.cdbs.push(cdb);
        let realized = reply.realized.unwrap_or(n as u64);
        Executed { outcome: reply.outcome, realized, sense_length }
    }

    fn wait_until(&mut self, until: Instant) {
        assert!(until > self.now);
        self.now = until;
    }

    fn observe(&mut self, exchange: &Exchange<'_>) {
        self.actions.push(format!("{:?}", exchange.action));
    }
}

pub fn run(config: Config, disk: &mut Disk) -> Outcome {
    let start = Instant::from_millis(1_000);
    let mut engine = Engine::begin(config, start);
    let mut host = ScriptHost {
        disk,
        now: start,
        cdbs: Vec::new(),
        actions: Vec::new(),
        access: Vec::new(),
        suspended: false,
    };
    let mut data = [0u8; MAX_TRANSFER_LENGTH];
    let verdict = drive(&mut engine, &mut host, &mut data).expect("the engine ends");
    assert_eq!(engine.poll(host.now), Poll::Done(verdict), "poll after Done repeats");
    let report = *engine.report();
    assert_eq!(report.verdict, Some(verdict));
    assert_eq!(usize::from(report.commands_sent), host.cdbs.len());
    Outcome {
        verdict,
        report,
        cdbs: host.cdbs,
        actions: host.actions,
        access: host.access,
        elapsed: host.now.saturating_since(start),
    }
}

/// A sense code from its three numbers.
pub fn code(key: u8, asc: u8, ascq: u8) -> SenseCode {
    SenseCode::new(SenseKey(key), asc, ascq)
}

pub fn refused(reason: RefuseReason) -> Verdict {
    Verdict::Refuse(reason)
}

/// Commands of the healthy disk before TEST UNIT READY: INQUIRY 36 + 96, VPD 00h header +
/// page, five pages × (header + page).
pub const HEALTHY_PRE_TUR: usize = 2 + 2 + 5 * 2;
