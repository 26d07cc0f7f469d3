//! The pieces of the `sbc-dext` command line that are worth testing without a process.

pub mod attach;
pub mod decode;
pub mod sense;

use std::fmt;
use std::io::Read;
use std::path::Path;

/// A failure the CLI reports as one line on stderr with exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The most bytes a captured buffer may hold: larger than any response this driver reads
/// (a MODE SENSE(10) or VPD page tops out at 65,535 + 4 bytes).
pub const MAX_CAPTURE: usize = 1 << 20;

/// Reads a `.hex` capture from `path`, or from stdin when `path` is `None` or `-`.
///
/// # Errors
/// An unreadable file, bad hex (with line and column), or more than [`MAX_CAPTURE`] bytes.
pub fn read_capture(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    let (name, text) = match path {
        Some(p) if p != Path::new("-") => {
            let text = std::fs::read(p)
                .map_err(|e| CliError(format!("cannot read {}: {e}", p.display())))?;
            (p.display().to_string(), text)
        }
        _ => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|e| CliError(format!("cannot read stdin: {e}")))?;
            ("stdin".to_string(), text)
        }
    };
    let mut bytes = vec![0u8; MAX_CAPTURE];
    let n = sbc_core::capture::parse_hex(&text, &mut bytes)
        .map_err(|e| CliError(format!("{name}: {e}")))?;
    bytes.truncate(n);
    if bytes.is_empty() {
        return Err(CliError(format!("{name}: no hex bytes found")));
    }
    Ok(bytes)
}
