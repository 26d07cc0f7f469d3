//! MODE SENSE(6)/(10) parameter data, block descriptors, the page walk, and the Caching
//! and Control pages.
//!
//! Peer: `sg_modes` (sg3-utils 1.46) has no `--inhex` mode (checked below). Expected values
//! are hand-decoded from the bytes with SPC-5 §7.5.5/§7.5.6 (tables "Mode parameter
//! header(6)/(10)"), SBC-4 §6.4.2/§6.4.3 (short and long LBA block descriptors), SBC-4
//! §6.5.1 (DEVICE-SPECIFIC PARAMETER), SBC-4 §6.5.5 (table "Caching mode page") and SPC-5
//! §7.5.10 (table "Control mode page"). The page list of `modes_sdeb.hex` is the one its
//! comments record from `sg_modes`' own output.

mod common;

use common::{every_prefix, inhex, peer, Rng};
use sbc_core::wire::mode::caching::Caching;
use sbc_core::wire::mode::control::Control;
use sbc_core::wire::mode::{ModePage, ModePages, ModeParameters, ModeSenseCommand, ALL_PAGES};
use sbc_core::wire::Error;

#[test]
fn sg_modes_has_no_inhex_mode() {
    let help = peer("sg_modes", &["--help"]);
    assert!(help.contains("Usage: sg_modes"), "{help}");
    assert!(!help.contains("inhex") && !help.contains("--in="), "{help}");
}

fn page_ids(pages: ModePages<'_>) -> Vec<(u8, u8, u16)> {
    pages.iter().map(|p| (p.page_code, p.subpage_code, p.page_length)).collect()
}

#[test]
fn test_modes_sdeb_capture() {
    let buf = inhex("modes_sdeb.hex");
    let d = ModeParameters::parse10(&buf).unwrap();
    // 00 ee | 00 | 10 | 00 | 00 | 00 08
    assert_eq!((d.announced, d.available), (0xEE + 2, 240));
    assert!(!d.is_truncated());
    let m = d.value;
    assert_eq!(m.header.mode_data_length, 0xEE);
    assert_eq!(m.header.medium_type, 0);
    assert_eq!(m.header.device_specific_parameter, 0x10);
    assert!(m.header.dpofua());
    assert!(!m.header.wp());
    assert!(!m.header.longlba);
    assert_eq!(m.header.block_descriptor_length, 8);
    assert!(!m.block_descriptors_cut);
    // 00 80 00 00 | 00 | 00 02 00
    let bds: Vec<_> = m.block_descriptors.iter().collect();
    assert_eq!(bds.len(), 1);
    assert_eq!(bds[0].number_of_logical_blocks, 0x0080_0000);
    assert_eq!(bds[0].density_code, 0);
    assert_eq!(bds[0].number_of_blocks_24, Some(0x80_0000));
    assert_eq!(bds[0].logical_block_length, 512);
    assert_eq!(
        page_ids(m.pages),
        [
            (0x01, 0, 0x0A),
            (0x02, 0, 0x0E),
            (0x03, 0, 0x16),
            (0x08, 0, 0x12),
            (0x0A, 0, 0x0A),
            (0x19, 0, 0x06),
            (0x19, 1, 0x64),
            (0x19, 2, 0x0C),
            (0x1C, 0, 0x0A),
        ]
    );
    assert!(!m.pages.stopped_short());
    let spf: Vec<bool> = m.pages.iter().map(|p| p.spf).collect();
    assert_eq!(spf, [false, false, false, false, false, false, true, true, false]);
    assert!(m.pages.iter().all(|p| !p.ps));

    // Caching: 08 12 | 14 | 00 | ff ff | 00 00 | ff ff | ff ff | 80 | 14 | 00 00 | 00 00 00 00
    let c = Caching::parse(&m.find_page(0x08, 0).unwrap()).unwrap();
    assert!(!c.ic && !c.abpf && !c.cap && c.disc && !c.size && c.wce && !c.mf && !c.rcd);
    assert_eq!(c.demand_read_retention_priority, Some(0));
    assert_eq!(c.write_retention_priority, Some(0));
    assert_eq!(c.disable_pre_fetch_transfer_length, Some(0xFFFF));
    assert_eq!(c.minimum_pre_fetch, Some(0));
    assert_eq!(c.maximum_pre_fetch, Some(0xFFFF));
    assert_eq!(c.maximum_pre_fetch_ceiling, Some(0xFFFF));
    assert_eq!(
        (c.fsw, c.lbcss, c.dra, c.nv_dis),
        (Some(true), Some(false), Some(false), Some(false))
    );
    assert_eq!(c.sync_prog, Some(0));
    assert_eq!(c.number_of_cache_segments, Some(20));
    assert_eq!(c.cache_segment_size, Some(0));

    // Control: 0a 0a | 02 | 00 | 00 | 80 | 00 00 | 00 00 | 02 4b
    let k = Control::parse(&m.find_page(0x0A, 0).unwrap()).unwrap();
    assert_eq!(k.tst, 0);
    assert!(!k.tmf_only && !k.dpicz && !k.d_sense && k.gltsd && !k.rlec);
    assert_eq!((k.queue_algorithm_modifier, k.nuar, k.qerr), (Some(0), Some(false), Some(0)));
    assert_eq!((k.rac, k.ua_intlck_ctrl, k.swp), (Some(false), Some(0), Some(false)));
    assert_eq!(
        (k.ato, k.tas, k.atmpe, k.rwwp, k.sblp),
        (Some(true), Some(false), Some(false), Some(false), Some(false))
    );
    assert_eq!(k.autoload_mode, Some(0));
    assert_eq!(k.busy_timeout_period, Some(0));
    assert_eq!(k.extended_self_test_completion_time, Some(0x024B));

    // Sub_page format: 59 01 00 64 -> page 19h subpage 01h, length 100, data 100 bytes.
    let phy = m.find_page(0x19, 1).unwrap();
    assert_eq!(phy.data.len(), 100);
    assert_eq!(phy.raw.len(), 104);
    assert_eq!(&phy.data[..4], &[0x00, 0x06, 0x00, 0x02]);
    assert_eq!(m.find_page(0x19, 3), None);
    // Typed decoders refuse other pages.
    assert_eq!(Caching::parse(&phy), None);
    assert_eq!(Control::parse(&m.find_page(0x01, 0).unwrap()), None);
}

#[test]
fn test_returned_other_page_check() {
    let buf = inhex("modes_sdeb.hex");
    let m = ModeParameters::parse10(&buf).unwrap().value;
    // Asked for Caching, got all pages starting with 01h: the FreeBSD-style mix-up.
    assert!(m.returned_other_page(0x08));
    assert!(!m.returned_other_page(0x01));
    assert!(!m.returned_other_page(ALL_PAGES));
    // No page at all: nothing to compare.
    let empty = ModeParameters::parse6(&[3, 0, 0, 0]).unwrap().value;
    assert!(!empty.returned_other_page(0x08));
}

/// tgtd's MODE SENSE(10) page 3Fh response (docs/witnesses.md §tgtd: what it reports),
/// rebuilt: header with DPOFUA (or WP|DPOFUA), an 8-byte descriptor with 0 blocks of 512
/// bytes, an empty page 00h, Disconnect-Reconnect, Caching `08 12 14 ..`, Control
/// `0a 0a 02 10 ..`, Control Extension 0Ah/01h (SPF, length 1Ch) and Informational
/// Exceptions. Contents tgtd did not record are zeros.
fn tgtd_all_pages(device_specific: u8) -> Vec<u8> {
    let mut pages = vec![0x00, 0x00];
    pages.extend([0x02, 0x0E]);
    pages.extend([0; 14]);
    pages.extend([0x08, 0x12, 0x14]);
    pages.extend([0; 17]);
    pages.extend([0x0A, 0x0A, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0x02, 0x00]);
    pages.extend([0x4A, 0x01, 0x00, 0x1C]);
    pages.extend([0; 0x1C]);
    pages.extend([0x1C, 0x0A]);
    pages.extend([0; 10]);
    let mdl = (6 + 8 + pages.len()) as u16;
    let mut b = vec![(mdl >> 8) as u8, mdl as u8, 0, device_specific, 0, 0, 0, 8];
    b.extend([0, 0, 0, 0, 0, 0, 0x02, 0x00]);
    b.extend(pages);
    b
}

#[test]
fn test_tgtd_all_pages() {
    let buf = tgtd_all_pages(0x10);
    let d = ModeParameters::parse10(&buf).unwrap();
    assert_eq!(d.announced, buf.len());
    let m = d.value;
    assert!(m.header.dpofua() && !m.header.wp());
    let bd = m.block_descriptors.first().unwrap();
    assert_eq!((bd.number_of_logical_blocks, bd.logical_block_length), (0, 512));
    assert_eq!(
        page_ids(m.pages),
        [
            (0x00, 0, 0),
            (0x02, 0, 0x0E),
            (0x08, 0, 0x12),
            (0x0A, 0, 0x0A),
            (0x0A, 1, 0x1C),
            (0x1C, 0, 0x0A)
        ]
    );
    let first: ModePage<'_> = m.pages.iter().next().unwrap();
    assert!(first.data.is_empty());
    assert!(!m.pages.stopped_short());
    let c = Caching::parse(&m.find_page(0x08, 0).unwrap()).unwrap();
    assert!(c.wce && c.disc && !c.rcd);
    let k = Control::parse(&m.find_page(0x0A, 0).unwrap()).unwrap();
    assert!(k.gltsd && !k.d_sense);
    assert_eq!(k.queue_algorithm_modifier, Some(1));
    assert_eq!(k.swp, Some(false));
    assert_eq!(k.extended_self_test_completion_time, Some(0x0200));
    // The Control Extension subpage is not the Control page.
    let ext = m.find_page(0x0A, 1).unwrap();
    assert!(ext.spf);
    assert_eq!(Control::parse(&ext), None);
    // tgtd's empty page 0 comes first: asked for Caching alone, this would be a mix-up.
    assert!(m.returned_other_page(0x08));

    // readonly=1 / SWP: device-specific 90h.
    let wp = tgtd_all_pages(0x90);
    let h = ModeParameters::parse10(&wp).unwrap().value.header;
    assert!(h.wp() && h.dpofua());
}

#[test]
fn test_mode_sense_6_write_protected() {
    // MODE SENSE(6): 17 | 00 | 80 (WP) | 08 | 00 01 00 00 00 00 10 00 | caching, short (SCSI-2
    // length 0Ah): 08 0a 01 ...
    let mut b = vec![0, 0x00, 0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00];
    b.extend([0x88, 0x0A, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    b[0] = (b.len() - 1) as u8;
    let d = ModeParameters::parse6(&b).unwrap();
    assert_eq!((d.announced, d.available), (b.len(), b.len()));
    let m = d.value;
    assert_eq!(m.header.command, ModeSenseCommand::Six);
    assert!(m.header.wp() && !m.header.dpofua());
    let bd = m.block_descriptors.first().unwrap();
    assert_eq!(bd.number_of_logical_blocks, 0x0001_0000);
    assert_eq!(bd.logical_block_length, 4096);
    let page = m.find_page(0x08, 0).unwrap();
    assert!(page.ps);
    let c = Caching::parse(&page).unwrap();
    assert!(c.rcd && !c.wce);
    // Short page: bytes 2..=11 present, FSW (byte 12) and later absent.
    assert_eq!(c.maximum_pre_fetch_ceiling, Some(0));
    assert_eq!((c.fsw, c.number_of_cache_segments, c.cache_segment_size), (None, None, None));
    assert_eq!(ModeParameters::parse6(&b[..3]), Err(Error::Truncated { needed: 4, available: 3 }));
}

#[test]
fn test_long_lba_block_descriptors() {
    // LONGLBA = 1, BLOCK DESCRIPTOR LENGTH 32: two 16-byte descriptors.
    let mut b = vec![0, 0, 0, 0, 0x01, 0, 0, 32];
    b.extend([0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0]); // 2^32 x 4096
    b.extend([0xFF; 8]); // u64::MAX blocks
    b.extend([0x07, 0, 0, 0, 0x00, 0x01, 0x00, 0x00]); // density 7, 65536 bytes
    let mdl = (b.len() - 2) as u16;
    b[..2].copy_from_slice(&mdl.to_be_bytes());
    let m = ModeParameters::parse10(&b).unwrap().value;
    assert!(m.header.longlba);
    assert_eq!(m.header.block_descriptor_size(), 16);
    let bds: Vec<_> = m.block_descriptors.iter().collect();
    assert_eq!(bds.len(), 2);
    assert!(bds[0].long && bds[0].number_of_blocks_24.is_none());
    assert_eq!((bds[0].number_of_logical_blocks, bds[0].logical_block_length), (1 << 32, 4096));
    assert_eq!(bds[1].number_of_logical_blocks, u64::MAX);
    assert_eq!((bds[1].density_code, bds[1].logical_block_length), (7, 65536));
    assert_eq!(m.pages.iter().count(), 0);
}

#[test]
fn test_block_descriptor_length_past_data() {
    // BLOCK DESCRIPTOR LENGTH 256 but only 8 bytes follow: reported, not a panic.
    let b = [0, 14, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 1, 0, 0, 2, 0];
    let m = ModeParameters::parse10(&b).unwrap().value;
    assert!(m.block_descriptors_cut);
    assert_eq!(m.block_descriptors.iter().count(), 1);
    assert_eq!(m.pages.iter().count(), 0);
    // Also when MODE DATA LENGTH itself stops short of the descriptors.
    let b = [0, 6, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 2, 0];
    let m = ModeParameters::parse10(&b).unwrap().value;
    assert!(m.block_descriptors_cut);
    assert_eq!(m.block_descriptors.iter().count(), 0);
}

#[test]
fn test_page_walk_stops_at_overlong_page_and_garbage() {
    // A page announcing 0xFF bytes with 3 present ends the walk, observable.
    let pages = [0x01, 0x02, 0xAA, 0xBB, 0x08, 0xFF, 1, 2, 3];
    let p = ModePages::new(&pages);
    assert_eq!(p.iter().count(), 1);
    assert!(p.stopped_short());
    // A lone byte (half a page header) is also a stop.
    let p = ModePages::new(&[0x00, 0x00, 0x4A]);
    assert_eq!(p.iter().count(), 1);
    assert!(p.stopped_short());
    // Bytes after the announced length (padding to the allocation length) are not pages.
    let mut b = vec![3, 0, 0, 0];
    b.extend([0x08, 0x12, 0x14]);
    let m = ModeParameters::parse6(&b).unwrap().value;
    assert_eq!(m.pages.iter().count(), 0);
    assert!(!m.pages.stopped_short());
    // MODE DATA LENGTH smaller than the header itself.
    let m = ModeParameters::parse10(&[0, 0, 0, 0, 0, 0, 0, 8, 1, 2]).unwrap();
    assert_eq!(m.announced, 2);
    assert_eq!(m.value.block_descriptors.iter().count(), 0);
}

fn check_prefixes(buf: &[u8], command: ModeSenseCommand, header_len: usize) {
    let full = ModeParameters::parse(buf, command).unwrap();
    let bds: Vec<_> = full.value.block_descriptors.iter().collect();
    let pages: Vec<_> = full.value.pages.iter().collect();
    let mut seen_pages = 0;
    every_prefix(buf, |p| match ModeParameters::parse(p, command) {
        Err(e) => assert_eq!(e, Error::Truncated { needed: header_len, available: p.len() }),
        Ok(d) => {
            assert!(p.len() >= header_len);
            assert_eq!((d.available, d.announced), (p.len(), full.announced));
            assert_eq!(d.value.header, full.value.header);
            let got: Vec<_> = d.value.block_descriptors.iter().collect();
            assert_eq!(&bds[..got.len()], &got[..]);
            let got: Vec<_> = d.value.pages.iter().collect();
            assert_eq!(&pages[..got.len()], &got[..]);
            // Exactly the pages wholly inside the prefix are returned.
            let bd_end = header_len + usize::from(full.value.header.block_descriptor_length);
            let ends: Vec<usize> = pages
                .iter()
                .scan(bd_end, |end, pg| {
                    *end += pg.raw.len();
                    Some(*end)
                })
                .collect();
            assert_eq!(got.len(), ends.iter().take_while(|&&end| end <= p.len()).count());
            // A partial page is left over unless the prefix ends on a page boundary.
            let on_boundary = p.len() <= bd_end || ends.contains(&p.len());
            assert_eq!(d.value.pages.stopped_short(), !on_boundary);
            seen_pages = seen_pages.max(got.len());
        }
    });
    assert_eq!(seen_pages, pages.len());
}

#[test]
fn test_every_prefix() {
    check_prefixes(&inhex("modes_sdeb.hex"), ModeSenseCommand::Ten, 8);
    check_prefixes(&tgtd_all_pages(0x10), ModeSenseCommand::Ten, 8);
    let mut b6 = vec![0, 0x00, 0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00];
    b6.extend([
        0x88, 0x0A, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0x0A, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    b6[0] = (b6.len() - 1) as u8;
    check_prefixes(&b6, ModeSenseCommand::Six, 4);
}

#[test]
fn test_random_input_never_panics() {
    let mut rng = Rng::new(0x5eed_0002);
    let seeds = [inhex("modes_sdeb.hex"), tgtd_all_pages(0x10)];
    for i in 0..20_000 {
        let mut buf: Vec<u8> = if i % 2 == 0 {
            (0..rng.below(300)).map(|_| rng.byte()).collect()
        } else {
            let s = &seeds[(i / 2) % 2];
            let mut b = s.clone();
            b.truncate(rng.below(s.len() as u64 + 1) as usize);
            b
        };
        for _ in 0..rng.below(6) {
            if !buf.is_empty() {
                let k = rng.below(buf.len() as u64) as usize;
                buf[k] = rng.byte();
            }
        }
        for command in [ModeSenseCommand::Six, ModeSenseCommand::Ten] {
            if let Ok(d) = ModeParameters::parse(&buf, command) {
                let m = d.value;
                let _ = m.block_descriptors.iter().count();
                for page in m.pages {
                    assert_eq!(page.data.len(), usize::from(page.page_length));
                    let _ = (Caching::parse(&page), Control::parse(&page));
                }
                let _ = (m.pages.stopped_short(), m.returned_other_page(0x08));
            }
        }
    }
}
