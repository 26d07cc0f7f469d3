#![no_main]
//! The CDB decoder on arbitrary bytes and an arbitrary block length. It must never panic,
//! and anything it accepts (other than an opcode it has no builder for) must re-encode and
//! decode again to the same command: the decoder and the builders agree on every field.
use sbc_core::wire::cdb::{cdb_length_for_opcode, decode, DataDirection, ScsiCommand};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((bl, cdb)) = data.split_first_chunk::<4>() else { return };
    let block_length = u32::from_be_bytes(*bl);
    let Ok(cmd) = decode(cdb, block_length) else { return };
    if let ScsiCommand::Unsupported { opcode, .. } = cmd {
        assert_eq!(Some(&opcode), cdb.first());
        assert!(cmd.encode().is_err());
        return;
    }
    assert!(Some(cdb.len()) >= cdb_length_for_opcode(cdb[0]));
    let again = cmd.encode().expect("a decoded command re-encodes");
    assert_eq!(again.cdb.opcode(), cdb[0]);
    assert!(again.cdb.len() <= cdb.len());
    assert_eq!(again.direction == DataDirection::None, again.transfer_length == 0);
    assert_eq!(decode(again.cdb.as_bytes(), block_length), Ok(cmd));
    assert_eq!(cmd.opcode().0, cdb[0]);
});
