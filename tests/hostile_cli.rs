//! The `sbc-dext` binary against hostile input: endless or huge files, deeply nested plists,
//! failing stdout, malformed command lines. Every case ends within a few seconds, inside a
//! 400 MB address space, with the documented exit code and (on error) exactly one line on
//! stderr that carries no Rust `Debug` text.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sbc-dext");
const FIX: &str = "tests/fixtures/sg3-inhex";

/// Runs the binary under `ulimit -v 400000` (KiB) with `stdin` and `stdout` as given; kills
/// it and fails the test if it runs longer than five seconds.
fn run_with(args: &[&str], stdin: Stdio, stdout: Stdio) -> Output {
    let child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 400000; exec "$0" "$@""#)
        .arg(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(out) => out,
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{args:?}: still running after 5 s");
        }
    }
}

fn run(args: &[&str]) -> Output {
    run_with(args, Stdio::null(), Stdio::piped())
}

/// Exit code 2, one line on stderr containing `needle`, no Debug text, nothing on stdout.
fn refused(out: &Output, what: &str, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    one_line(&err, what);
    assert!(err.contains(needle), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed to stdout on error");
}

fn one_line(err: &str, what: &str) {
    assert!(err.starts_with("sbc-dext: error: "), "{what}: {err:?}");
    assert_eq!(err.matches('\n').count(), 1, "{what}: not one line: {err:?}");
    assert!(err.ends_with('\n'), "{what}: {err:?}");
    for debug in ["Os {", "Io(", "kind:", "Error {"] {
        assert!(!err.contains(debug), "{what}: Debug text in {err:?}");
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbc-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A write end of a pipe whose read end is already closed: writing to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let write_end = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    Stdio::from(write_end)
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").unwrap())
}

#[test]
fn endless_input_is_refused_after_a_bounded_read() {
    let out = run(&["decode", "vpd", "/dev/zero"]);
    refused(&out, "decode /dev/zero", "/dev/zero: too large");
    let out = run(&["sense", "-f", "/dev/zero"]);
    refused(&out, "sense -f /dev/zero", "/dev/zero: too large");
    let out = run(&["attach", "--plist", "/dev/zero"]);
    refused(&out, "attach --plist /dev/zero", "/dev/zero: too large");

    let mut yes: Child = Command::new("yes").arg("00").stdout(Stdio::piped()).spawn().unwrap();
    let out =
        run_with(&["decode", "vpd", "-"], Stdio::from(yes.stdout.take().unwrap()), Stdio::piped());
    let _ = yes.kill();
    let _ = yes.wait();
    refused(&out, "yes 00 | decode vpd -", "stdin: too large");
}

/// `depth` arrays nested in a personality's value, as XML.
fn deep_xml(depth: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>\
         <key>IOKitPersonalities</key><dict><key>P</key><dict><key>x</key>{}{}</dict></dict>\
         </dict></plist>\n",
        "<array>".repeat(depth),
        "</array>".repeat(depth)
    )
}

/// A binary plist (`bplist00`) that is `depth` arrays, each holding the next.
fn deep_binary(depth: u32) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for i in 0..depth {
        offsets.push(out.len() as u32);
        if i + 1 < depth {
            out.push(0xa1); // an array of one object reference (4 bytes)
            out.extend_from_slice(&(i + 1).to_be_bytes());
        } else {
            out.push(0xa0);
        }
    }
    let table = out.len() as u64;
    for o in offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(&[0; 6]);
    out.extend_from_slice(&[4, 4]); // offset size, reference size
    out.extend_from_slice(&u64::from(depth).to_be_bytes());
    out.extend_from_slice(&0u64.to_be_bytes()); // top object
    out.extend_from_slice(&table.to_be_bytes());
    out
}

#[test]
fn deeply_nested_plists_are_refused_before_the_tree_is_built() {
    let xml = temp("deep.plist");
    std::fs::write(&xml, deep_xml(200_000)).unwrap();
    let out = run(&["attach", "--plist", xml.to_str().unwrap()]);
    refused(&out, "200,000 nested <array>", "nested more than 64 levels deep");

    let binary = temp("deep.bplist");
    std::fs::write(&binary, deep_binary(200_000)).unwrap();
    let out = run(&["attach", "--plist", binary.to_str().unwrap()]);
    refused(&out, "200,000 nested binary arrays", "nested more than 64 levels deep");

    // Nesting within the limit is still read (and, for the engine, the personality's empty
    // quirks apply; the whole stack would find no IOKit keys to match in it).
    let shallow = temp("shallow.plist");
    std::fs::write(&shallow, deep_xml(10)).unwrap();
    let out = run(&["attach", "--engine", "--plist", shallow.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for path in [xml, binary, shallow] {
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn a_failing_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let luns = format!("{FIX}/luns_wlun.hex");
    // `| head -1`: the reader went away; stop quietly with the command's own exit code.
    let out = run_with(&["decode", "luns", &luns], Stdio::null(), closed_pipe());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_with(&["attach", "sim:block-520"], Stdio::null(), closed_pipe());
    assert_eq!(out.status.code(), Some(1), "attach still says refuse");
    assert!(out.stderr.is_empty());

    // A full disk is a failure to deliver the output: one line, exit 2.
    for args in [
        &["attach", "sim:cdrom"][..],
        &["sense", "70", "00", "05", "00", "00", "00", "00", "0a"],
        &["decode", "luns", &luns, "--json"],
    ] {
        let out = run_with(args, Stdio::null(), dev_full());
        refused(&out, &format!("{args:?} > /dev/full"), "cannot write output");
    }
}

#[test]
fn every_error_is_one_line() {
    refused(&run(&["decode", "frobnicate", "x"]), "bad kind", "invalid value 'frobnicate'");
    refused(&run(&["sense"]), "no bytes", "required");
    refused(&run(&[]), "no subcommand", "a subcommand is required");
    refused(&run(&["bogus"]), "bad subcommand", "unrecognized subcommand 'bogus'");
    refused(&run(&["decode", "vpd", "--jsn"]), "bad flag", "unexpected argument '--jsn'");
    // Without --plist the built-in Info.plist is used: its personalities are named.
    refused(
        &run(&["attach", "--personality", "P"]),
        "unknown personality",
        "no personality P (has: ",
    );
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).lines().count() > 3, "help stays whole");

    refused(
        &run(&["attach", "--plist", "/nonexistent/Info.plist"]),
        "missing plist",
        "cannot read /nonexistent/Info.plist: No such file or directory",
    );
    refused(&run(&["decode", "vpd", "/nonexistent/a\nb.hex"]), "newline", "a\\nb.hex");
    let odd = temp("odd\nname.plist");
    std::fs::write(&odd, "not a plist").unwrap();
    refused(&run(&["attach", "--plist", odd.to_str().unwrap()]), "newline", "odd\\nname");

    let many = temp("many.plist");
    let mut f = File::create(&many).unwrap();
    write!(f, "<plist version=\"1.0\"><dict><key>IOKitPersonalities</key><dict>").unwrap();
    for i in 0..20_000 {
        write!(f, "<key>P{i}</key><dict/>").unwrap();
    }
    write!(f, "</dict></dict></plist>").unwrap();
    drop(f);
    let out = run(&["attach", "--plist", many.to_str().unwrap(), "--personality", "Nope"]);
    refused(&out, "missing personality", "no personality Nope (has: P0, P1,");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("… 19990 more)"), "{err}");
    assert!(err.len() < 400, "the list is capped: {} bytes", err.len());
    for path in [odd, many] {
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn every_sense_argument_is_bytes() {
    // `#` used to start a comment in the joined text and drop every later byte.
    let out = run(&["sense", "70", "00", "05", "#", "00", "00", "00", "0a"]);
    refused(&out, "# argument", "argument '#' is not hex bytes");
    refused(&run(&["sense", "70", "zz"]), "zz", "argument 'zz' is not hex bytes");
    refused(&run(&["sense", "70", ""]), "empty", "argument '' is not hex bytes");
    // The documented spellings still work.
    let out = run(&["sense", "0x70", "00,05", "00000000", "0a", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// LUNs libiscsi would silently wrap (it keeps 14 bits) are refused before any connection,
/// with or without the `iscsi` feature; a portal nobody listens on says so in one line.
#[test]
fn iscsi_urls_are_checked_and_unreachable_portals_say_why() {
    for lun in ["16384", "16385", "65536", "4294967297", "-1"] {
        let url = format!("iscsi://127.0.0.1:1/iqn.2026-11.org.sbc-dext:t/{lun}");
        refused(&run(&["attach", &url]), &url, "LUN");
    }
    refused(&run(&["attach", "iscsi://127.0.0.1:1/iqn.x"]), "no LUN", "no LUN");
    // Port 1 on loopback: nothing listens there.
    let url = "iscsi://127.0.0.1:1/iqn.2026-11.org.sbc-dext:t/1";
    let needle = if cfg!(feature = "iscsi") { "Connection refused" } else { "no iSCSI support" };
    refused(&run(&["attach", url]), url, needle);
}

/// `--usb-id` takes VID:PID in hex, neither 0; anything else is one line and exit 2.
#[test]
fn usb_ids_are_checked() {
    for bad in ["174c", "174c:", ":2362", "0:2362", "174c:0", "10000:1", "xyz:1", "174c:2362:1"] {
        refused(&run(&["attach", "--usb-id", bad]), bad, "VID");
    }
    let ok = run(&["attach", "--usb-id", "0x174c:0x2362"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
}
