#![no_main]
//! Sense decoder: parse any bytes, walk every descriptor (and the nested lists inside
//! them), decode the ATA registers, and format every Display into a fixed buffer. Nothing
//! may panic; the forwarded sense data descriptor is parsed recursively one level.
//! `normalize` must agree with `parse` on every input (outcome, sense key, ASC/ASCQ,
//! INFORMATION, lengths), and `AscText::write_to` with `Display`.

use core::fmt::Write;

use sbc_core::sense::{self, AscText, Descriptor, Parsed};

/// A `core::fmt::Write` sink into a fixed buffer that drops what does not fit.
struct Sink {
    buf: [u8; 512],
    len: usize,
}

impl Write for Sink {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if self.len < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// `normalize` gives the outcome `parse` gives, with the same header and INFORMATION.
fn normalize_agrees(data: &[u8]) {
    match (sense::normalize(data), sense::parse(data)) {
        (Ok(None), Ok(Parsed::NoSense)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        (Ok(Some(h)), Ok(Parsed::Sense(d))) => {
            let s = d.value;
            assert_eq!((h.sense_key, h.asc, h.ascq), (s.sense_key, s.asc, s.ascq));
            assert_eq!(h.information(), s.information);
            assert_eq!(
                (h.response_code, h.format, h.deferred),
                (s.response_code, s.format, s.deferred)
            );
            assert_eq!(h.sdat_ovfl, s.sdat_ovfl);
            assert_eq!((h.announced(), h.available()), (d.announced, d.available));
            assert!(h.descriptors().eq(s.descriptors()));
        }
        (n, p) => panic!("normalize {n:?} but parse {p:?}"),
    }
}

/// `write_to` writes what `Display` writes (cut to the buffer).
fn write_to_agrees(t: AscText, sink: &mut Sink) {
    sink.len = 0;
    let _ = write!(sink, "{t}");
    let mut buf = [0u8; AscText::MAX_LEN];
    let n = t.write_to(&mut buf);
    assert!(sink.len < AscText::MAX_LEN);
    assert_eq!(&buf[..n], &sink.buf[..sink.len]);
    let cut = t.write_to(&mut buf[..n / 2]);
    assert_eq!(cut, n / 2);
}

fn exercise(data: &[u8], sink: &mut Sink, depth: u8) {
    normalize_agrees(data);
    match sense::parse(data) {
        Ok(Parsed::NoSense) => {}
        Err(e) => {
            let _ = write!(sink, "{e}");
        }
        Ok(Parsed::Sense(d)) => {
            let s = d.value;
            assert!(d.available == data.len());
            let _ = write!(sink, "{s} {}", s.asc_text());
            let _ = s.ata_return();
            for item in s.descriptors() {
                match item {
                    Err(o) => {
                        let _ = write!(sink, "{o}");
                    }
                    Ok(raw) => {
                        assert!(raw.offset + raw.bytes.len() <= data.len());
                        let desc = raw.decode();
                        let _ = write!(sink, "{desc}");
                        let _ = desc.osd_attributes().count();
                        match desc {
                            Descriptor::UserDataSegmentReferral { segments, .. } => {
                                for seg in segments.flatten() {
                                    let _ = seg.target_port_groups().count();
                                }
                            }
                            Descriptor::ForwardedSenseData { sense_data, .. } if depth == 0 => {
                                exercise(sense_data, sink, 1);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut sink = Sink { buf: [0; 512], len: 0 };
    exercise(data, &mut sink, 0);
    if let (Some(&a), Some(&q)) = (data.first(), data.get(1)) {
        write_to_agrees(sense::describe(a, q), &mut sink);
    }
});
