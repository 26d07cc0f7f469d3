//! The pieces of the `sbc-dext` command line that are worth testing without a process.

pub mod attach;
pub mod attach_stack;
pub mod decode;
pub mod lint;
pub mod report_text;
pub mod sense;
pub mod status;

use std::io::Read;
use std::path::Path;

/// A failure the CLI reports as one line on stderr with exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CliError(pub String);

/// The most bytes a captured buffer may hold: larger than any response this driver reads
/// (a MODE SENSE(10) or VPD page tops out at 65,535 + 4 bytes).
pub const MAX_CAPTURE: usize = 1 << 20;

/// The most bytes of input any command reads (a `.hex` capture or an Info.plist): room for a
/// [`MAX_CAPTURE`]-byte capture written as `xx ` triples with comments, far more than any
/// Info.plist. Larger input is refused before it is held in memory.
pub const MAX_INPUT: u64 = 8 << 20;

/// How a path appears in a message: its text with control characters escaped (`\n`), so an
/// error naming it stays one line.
pub fn shown(path: &Path) -> String {
    one_line(&path.display().to_string())
}

/// `text` with every control character (newline, carriage return, escape, ...) written as
/// its visible escape, so it prints as one line.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads all of `path` (stdin when `path` is `None` or `-`), but never more than
/// [`MAX_INPUT`] bytes: the one way every command reads its input. Returns the name to show
/// in messages and the bytes.
///
/// # Errors
/// An unreadable file, or one larger than [`MAX_INPUT`] (`/dev/zero`, `yes |`, ...).
pub fn read_input(path: Option<&Path>) -> Result<(String, Vec<u8>), CliError> {
    let (name, source): (String, Box<dyn Read>) = match path {
        Some(p) if p != Path::new("-") => {
            let file = std::fs::File::open(p)
                .map_err(|e| CliError(format!("cannot read {}: {e}", shown(p))))?;
            (shown(p), Box::new(file))
        }
        _ => ("stdin".to_string(), Box::new(std::io::stdin().lock())),
    };
    let mut bytes = Vec::new();
    source
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError(format!("{name}: too large (more than {MAX_INPUT} bytes)")));
    }
    Ok((name, bytes))
}

/// Reads a `.hex` capture from `path`, or from stdin when `path` is `None` or `-`.
///
/// # Errors
/// An unreadable file, input over [`MAX_INPUT`] bytes, bad hex (with line and column), or
/// more than [`MAX_CAPTURE`] bytes.
pub fn read_capture(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    let (name, text) = read_input(path)?;
    let mut bytes = vec![0u8; MAX_CAPTURE];
    let n = sbc_core::capture::parse_hex(&text, &mut bytes)
        .map_err(|e| CliError(format!("{name}: {e}")))?;
    bytes.truncate(n);
    if bytes.is_empty() {
        return Err(CliError(format!("{name}: no hex bytes found")));
    }
    Ok(bytes)
}
