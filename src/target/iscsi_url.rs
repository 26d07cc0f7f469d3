//! `iscsi://[USER%PASSWORD@]HOST[:PORT]/IQN/LUN`, checked before anything is sent.
//!
//! libiscsi's own parser (`iscsi_parse_full_url`) takes the LUN with `atoi` and the session
//! then keeps only the low 14 bits of it (flat space addressing, SAM-5 "Flat space
//! addressing method": LUNs 0..16383), so `/16385` silently reaches LUN 1, `/65536` LUN 0
//! and `/4294967297` LUN 1. A user who typed a LUN must get that LUN or an error: this parser
//! accepts exactly the decimal LUNs 0..=16383 and nothing else, and is what the CLI checks
//! before it connects (with or without the `iscsi` feature).

/// The largest LUN the flat space addressing method can carry (14 bits).
pub const MAX_LUN: u16 = 0x3FFF;

/// The iSCSI port when the URL names none (RFC 7143 §13.5.1: 3260).
pub const DEFAULT_PORT: u16 = 3260;

/// A checked iSCSI URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IscsiUrl {
    /// HOST, without brackets for an IPv6 address.
    pub host: String,
    /// PORT, or [`DEFAULT_PORT`].
    pub port: u16,
    /// The target's IQN.
    pub iqn: String,
    /// The logical unit, 0..=[`MAX_LUN`].
    pub lun: u16,
}

/// Why a URL was refused; its Display is one line naming the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

/// The form, for error messages.
const FORM: &str = "iscsi://[USER%PASSWORD@]HOST[:PORT]/IQN/LUN";

/// Checks `url`.
///
/// # Errors
/// Anything that is not the form above with a decimal LUN in 0..=16383.
pub fn parse(url: &str) -> Result<IscsiUrl, UrlError> {
    let bad = |what: &str| UrlError(format!("{what} (expected {FORM})"));
    let rest = url.strip_prefix("iscsi://").ok_or_else(|| bad("not an iscsi:// URL"))?;
    let mut parts = rest.splitn(3, '/');
    let authority = parts.next().unwrap_or("");
    let iqn = parts.next().filter(|s| !s.is_empty()).ok_or_else(|| bad("no IQN"))?;
    let lun = parts.next().ok_or_else(|| bad("no LUN"))?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = host_and_port(host_port).ok_or_else(|| bad("bad HOST[:PORT]"))?;
    Ok(IscsiUrl { host, port, iqn: iqn.to_string(), lun: parse_lun(lun)? })
}

/// HOST or HOST:PORT, with `[v6]` brackets allowed; `None` when either part is malformed.
fn host_and_port(s: &str) -> Option<(String, u16)> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
    };
    (!host.is_empty() && port != 0).then(|| (host.to_string(), port))
}

fn parse_lun(s: &str) -> Result<u16, UrlError> {
    let out_of_range = || {
        UrlError(format!(
            "LUN '{s}' is not a decimal number from 0 to {MAX_LUN} (flat space addressing)"
        ))
    };
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(out_of_range());
    }
    s.parse::<u16>().ok().filter(|&n| n <= MAX_LUN).ok_or_else(out_of_range)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_valid_urls() {
        let u = parse("iscsi://127.0.0.1:3261/iqn.2026-11.org.example:disk/16383").unwrap();
        assert_eq!(
            u,
            IscsiUrl {
                host: "127.0.0.1".into(),
                port: 3261,
                iqn: "iqn.2026-11.org.example:disk".into(),
                lun: 16383
            }
        );
        assert_eq!(parse("iscsi://host/iqn.x/0").unwrap().port, DEFAULT_PORT);
        assert_eq!(parse("iscsi://[::1]:3262/iqn.x/7").unwrap().host, "::1");
        assert_eq!(parse("iscsi://user%secret@host:99/iqn.x/1").unwrap().port, 99);
        assert_eq!(parse("iscsi://host/iqn.x/00012").unwrap().lun, 12);
    }

    #[test]
    fn test_luns_that_libiscsi_would_wrap_are_refused() {
        for lun in ["16384", "16385", "65536", "4294967297", "-1", "+1", "", "1x", " 1", "0x1"] {
            let url = format!("iscsi://127.0.0.1/iqn.x/{lun}");
            let e = parse(&url).unwrap_err().to_string();
            assert!(e.contains("LUN") && !e.contains('\n'), "{url}: {e}");
        }
    }

    #[test]
    fn test_malformed_urls_are_refused() {
        for url in [
            "iscsi:/host/iqn/1",
            "http://host/iqn/1",
            "iscsi://host/iqn",
            "iscsi://host//1",
            "iscsi://:3260/iqn/1",
            "iscsi://host:/iqn/1",
            "iscsi://host:0/iqn/1",
            "iscsi://host:65536/iqn/1",
            "iscsi://host:-1/iqn/1",
            "iscsi://[::1/iqn/1",
            "iscsi://host/iqn/1/2",
        ] {
            assert!(parse(url).is_err(), "{url}");
        }
    }
}
