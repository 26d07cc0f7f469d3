#![no_main]
//! Sense decoder: parse any bytes, walk every descriptor (and the nested lists inside
//! them), decode the ATA registers, and format every Display into a fixed buffer. Nothing
//! may panic; the forwarded sense data descriptor is parsed recursively one level.

use core::fmt::Write;

use sbc_core::sense::{self, Descriptor, Parsed};

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

fn exercise(data: &[u8], sink: &mut Sink, depth: u8) {
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
        let _ = write!(sink, "{}", sense::describe(a, q));
    }
});
