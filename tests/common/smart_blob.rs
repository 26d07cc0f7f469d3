//! libatasmart's blob format (tests/fixtures/README.md): tagged sections, each a 4-byte
//! ASCII tag, a 4-byte big-endian length, then the bytes. `IDFY` (512 bytes, IDENTIFY
//! DEVICE data), `SMST` (4 bytes, optional: the SMART RETURN STATUS answer as a 32-bit
//! integer in the capturing machine's byte order, non-zero meaning "disk is OK"), `SMDT`
//! (512, SMART READ DATA), `SMTH` (512, SMART READ THRESHOLDS).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One drive's blob.
#[derive(Debug, Clone)]
pub struct SmartBlob {
    /// IDENTIFY DEVICE data.
    pub identify: Vec<u8>,
    /// SMART RETURN STATUS: `Some(true)` when the drive said no threshold is exceeded.
    pub status_ok: Option<bool>,
    /// SMART READ DATA.
    pub data: Option<Vec<u8>>,
    /// SMART READ THRESHOLDS.
    pub thresholds: Option<Vec<u8>>,
}

/// Parses a blob, refusing what skdump refuses too: a section longer than the rest, a
/// section of the wrong length, a tag twice, no IDFY. Unknown tags are skipped.
pub fn parse(bytes: &[u8]) -> Result<SmartBlob, String> {
    let (mut identify, mut status_ok, mut data, mut thresholds) = (None, None, None, None);
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.len() < 8 {
            return Err(format!("{} bytes left, a section header needs 8", rest.len()));
        }
        let tag = &rest[..4];
        let len = u32::from_be_bytes(rest[4..8].try_into().unwrap()) as usize;
        let body = rest
            .get(8..8 + len)
            .ok_or_else(|| format!("section {:?} of {len} bytes runs past the end", tag))?;
        let want = match tag {
            b"SMST" => 4,
            b"IDFY" | b"SMDT" | b"SMTH" => 512,
            _ => len,
        };
        if len != want {
            return Err(format!("section {tag:?} is {len} bytes, not {want}"));
        }
        let slot_taken = match tag {
            b"IDFY" => identify.replace(body.to_vec()).is_some(),
            b"SMDT" => data.replace(body.to_vec()).is_some(),
            b"SMTH" => thresholds.replace(body.to_vec()).is_some(),
            b"SMST" => {
                // Native byte order on the capturing machine: non-zero is "OK" either way.
                status_ok.replace(body.iter().any(|&b| b != 0)).is_some()
            }
            _ => false,
        };
        if slot_taken {
            return Err(format!("section {tag:?} twice"));
        }
        rest = &rest[8 + len..];
    }
    let identify = identify.ok_or("no IDFY section")?;
    Ok(SmartBlob { identify, status_ok, data, thresholds })
}

/// The fixture folder of the 13 blobs.
pub fn blob_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|p| p.join("tests/fixtures/smart-blobs"))
        .find(|p| p.is_dir())
        .expect("tests/fixtures/smart-blobs")
}

/// Every blob, sorted by file name: `(name, path, blob)`.
pub fn all_blobs() -> Vec<(String, PathBuf, SmartBlob)> {
    let dir = blob_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let blob =
                parse(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, path, blob)
        })
        .collect()
}
