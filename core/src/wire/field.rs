//! Bounds-checked big-endian field readers: the only way decoders touch response bytes.
//!
//! Each returns `None` when any byte of the field lies outside the buffer, so a decoder that
//! reads through these cannot over-read, whatever the device sent. Offsets come from the
//! format's layout or from length fields in the data; the arithmetic on them is checked.

/// The byte at `at`.
#[inline]
pub fn u8_at(buf: &[u8], at: usize) -> Option<u8> {
    buf.get(at).copied()
}

/// Bit `bit` (0 = least significant) of the byte at `at`.
#[inline]
pub fn bit_at(buf: &[u8], at: usize, bit: u8) -> Option<bool> {
    Some(u8_at(buf, at)? >> (bit & 7) & 1 == 1)
}

/// `len` bytes starting at `at`.
#[inline]
pub fn bytes_at(buf: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    buf.get(at..at.checked_add(len)?)
}

/// A fixed-size array of bytes starting at `at`.
#[inline]
pub fn array_at<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    bytes_at(buf, at, N)?.try_into().ok()
}

/// Big-endian 16-bit field at `at`.
#[inline]
pub fn be16_at(buf: &[u8], at: usize) -> Option<u16> {
    array_at(buf, at).map(u16::from_be_bytes)
}

/// Big-endian 24-bit field at `at`.
#[inline]
pub fn be24_at(buf: &[u8], at: usize) -> Option<u32> {
    let [a, b, c] = array_at::<3>(buf, at)?;
    Some(u32::from_be_bytes([0, a, b, c]))
}

/// Big-endian 32-bit field at `at`.
#[inline]
pub fn be32_at(buf: &[u8], at: usize) -> Option<u32> {
    array_at(buf, at).map(u32::from_be_bytes)
}

/// Big-endian 48-bit field at `at`.
#[inline]
pub fn be48_at(buf: &[u8], at: usize) -> Option<u64> {
    let [a, b, c, d, e, g] = array_at::<6>(buf, at)?;
    Some(u64::from_be_bytes([0, 0, a, b, c, d, e, g]))
}

/// Big-endian 64-bit field at `at`.
#[inline]
pub fn be64_at(buf: &[u8], at: usize) -> Option<u64> {
    array_at(buf, at).map(u64::from_be_bytes)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_outside() {
        let b = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];
        assert_eq!(be16_at(&b, 0), Some(0x1234));
        assert_eq!(be24_at(&b, 1), Some(0x34_5678));
        assert_eq!(be32_at(&b, 4), Some(0x9abc_def0));
        assert_eq!(be48_at(&b, 2), Some(0x5678_9abc_def0));
        assert_eq!(be64_at(&b, 0), Some(0x1234_5678_9abc_def0));
        assert_eq!(be32_at(&b, 5), None);
        assert_eq!(be64_at(&b, 1), None);
        assert_eq!(bytes_at(&b, usize::MAX, 2), None);
        assert_eq!(bit_at(&b, 0, 4), Some(true));
        assert_eq!(bit_at(&b, 8, 0), None);
    }
}
