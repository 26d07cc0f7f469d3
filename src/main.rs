//! `sbc-dext`: the host-side command line of the sbc-dext driver.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sbc_dext::cli::{self, decode::Kind};

#[derive(Parser)]
#[command(name = "sbc-dext", version, about = "sbc-dext host tools: decode what SCSI disks say")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Characterize a disk as the dext does at enumeration, and print what it learned.
    Attach {
        /// `sim` (default), `sim:PROFILE`, or `iscsi://HOST[:PORT]/IQN/LUN`.
        target: Option<String>,
        /// Force a quirk on (repeatable); names as in the SbcQuirks personality key.
        #[arg(long = "quirk", value_name = "NAME")]
        quirks: Vec<String>,
        /// Force a quirk off, even if the quirk table sets it (repeatable).
        #[arg(long = "no-quirk", value_name = "NAME")]
        no_quirks: Vec<String>,
        /// The dext's Info.plist the kernel model matches (default: the repository's, built
        /// in); with --engine, only its personality's SbcQuirks are read.
        #[arg(long, value_name = "INFO_PLIST")]
        plist: Option<PathBuf>,
        /// The dext's entitlements (default: the repository's, built in).
        #[arg(long, value_name = "ENTITLEMENTS")]
        entitlements: Option<PathBuf>,
        /// The disk is behind a USB bridge: apply Linux's defaults for USB disks (the dext
        /// knows its transport; INQUIRY does not say).
        #[arg(long)]
        usb: bool,
        /// The disk is a USB device with this vendor and product ID (hex, `174c:2362`, as
        /// lsusb prints it): as --usb, and the core's USB ID table applies (a sim profile
        /// that is a USB enclosure brings its own).
        #[arg(long = "usb-id", value_name = "VID:PID", value_parser = parse_usb_id)]
        usb_id: Option<sbc_core::attach::UsbId>,
        /// Use this personality instead of the best-scoring one (with --engine: the one whose
        /// SbcQuirks apply, when several carry them; needs --plist).
        #[arg(long, value_name = "NAME")]
        personality: Option<String>,
        /// Print stable JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Include every command with its completion and the engine's decision.
        #[arg(long)]
        transcript: bool,
        /// Print the I/O Registry (the nub and the dext's service) as `ioreg -l` would.
        #[arg(long)]
        ioreg: bool,
        /// Print the dext's log as `log stream` would.
        #[arg(long)]
        log: bool,
        /// Run the core's engine alone, without the kernel model and the C++ shim.
        #[arg(long)]
        engine: bool,
        /// With the target sim: a SATA drive behind a SAT bridge, its IDENTIFY and SMART data
        /// from a libatasmart-format blob (tests/fixtures/smart-blobs/).
        #[arg(long, value_name = "PATH")]
        smart_blob: Option<PathBuf>,
        /// Print only the kernel model's I/O Registry, as `ioreg -a` would (an XML property
        /// list that `status --from FILE` reads).
        #[arg(long, conflicts_with_all = ["json", "ioreg", "log", "transcript", "engine"])]
        ioreg_xml: bool,
    },
    /// Show what the dext published for each disk it serves (on a Mac: the live I/O
    /// Registry), as attach prints it. Exit 0 when a disk was shown, 1 when none.
    Status {
        /// Only this disk: its BSD name (`disk4`, `/dev/disk4`).
        disk: Option<String>,
        /// Read an `ioreg -a` XML file (`ioreg -a -r -c IOUserSCSIPeripheralDeviceType00`,
        /// or `attach --ioreg-xml`) instead of the live registry; any platform.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Print stable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a dext's Info.plist and entitlements for what keeps it from loading, matching or
    /// working. Exit 0 without errors (warnings pass unless --strict), 1 with errors, 2 when
    /// an input cannot be read or is not a plist.
    Lint {
        /// The dext's Info.plist, found relative to the current directory.
        #[arg(default_value = "Info.plist")]
        info_plist: PathBuf,
        /// The dext's entitlements, found relative to the current directory.
        #[arg(default_value = "entitlements.plist")]
        entitlements: PathBuf,
        /// The directory whose .iig files must declare each personality's IOUserClass
        /// (relative to the current directory; without .iig files that is a warning).
        #[arg(long, value_name = "DIR", default_value = "iig")]
        iig: PathBuf,
        /// Warnings fail too: exit 1 on any finding.
        #[arg(long)]
        strict: bool,
        /// Print stable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode a captured response buffer (.hex format: hex bytes, `#` comments).
    Decode {
        /// What the buffer is.
        #[arg(value_enum)]
        kind: Kind,
        /// The .hex file; `-` or nothing reads stdin.
        file: Option<PathBuf>,
        /// Print stable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode sense data and show the action the driver's policy takes for it after a READ(10).
    Sense {
        /// Sense bytes in hex (`70 00 05 00 ...`); or use -f.
        #[arg(
            required_unless_present = "file",
            conflicts_with = "file",
            allow_hyphen_values = false
        )]
        bytes: Vec<String>,
        /// Read the bytes from a .hex file (`-` for stdin).
        #[arg(short = 'f', long = "file")]
        file: Option<PathBuf>,
        /// Print stable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(&e),
    };
    let ok = |text| (text, ExitCode::SUCCESS);
    let result = match args.command {
        Command::Attach {
            target,
            quirks,
            no_quirks,
            plist,
            entitlements,
            personality,
            usb,
            usb_id,
            json,
            transcript,
            ioreg,
            log,
            engine,
            smart_blob,
            ioreg_xml,
        } => cli::attach::attach(&cli::attach::Options {
            target,
            quirks,
            no_quirks,
            plist,
            personality,
            usb,
            usb_id,
            json,
            transcript,
            entitlements,
            ioreg,
            log,
            engine,
            smart_blob,
            ioreg_xml,
        }),
        Command::Status { disk, from, json } => {
            cli::status::status(&cli::status::Options { disk, from, json })
        }
        Command::Lint { info_plist, entitlements, iig, strict, json } => {
            cli::lint::lint(&cli::lint::Options { info_plist, entitlements, iig, strict, json })
        }
        Command::Decode { kind, file, json } => cli::read_capture(file.as_deref())
            .and_then(|bytes| cli::decode::render(kind, &bytes, json))
            .map(ok),
        Command::Sense { bytes, file, json } => match file {
            Some(path) => cli::read_capture(Some(&path)),
            None => cli::sense::bytes_from_args(&bytes),
        }
        .and_then(|bytes| cli::sense::render(&bytes, json))
        .map(ok),
    };
    match result {
        Ok((text, code)) => match write_output(&text) {
            Ok(()) => code,
            // The reader stopped reading (`| head`): not an error; the command's own exit
            // code still stands (attach's 0 accept / 1 refuse).
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code,
            Err(e) => fail(&format!("cannot write output: {e}")),
        },
        Err(e) => fail(&e.to_string()),
    }
}

/// Writes the whole output to stdout and flushes it.
fn write_output(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Reports `message` as one line on stderr and returns exit code 2.
fn fail(message: &str) -> ExitCode {
    // If stderr itself cannot be written there is nobody left to tell; the exit code says it.
    let _ = writeln!(io::stderr().lock(), "sbc-dext: error: {}", cli::one_line(message));
    ExitCode::from(2)
}

/// A command line clap refused: `--help` and `--version` print as usual; anything else is
/// one line on stderr (clap's message without its usage block) and exit code 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(io) if io.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(io) => fail(&format!("cannot write output: {io}")),
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return fail(
                "a subcommand is required: attach, decode, lint, sense or status (see --help)",
            );
        }
        _ => {}
    }
    // clap renders "error: MESSAGE" and its indented details, then a blank line, the usage
    // and tips; keep the message and details, joined into one line.
    let rendered = e.render().to_string();
    let message: Vec<&str> =
        rendered.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    fail(&format!("{message} (see --help)"))
}

/// `VID:PID` in hex (`174c:2362`, `0x174c:0x2362`), neither 0.
fn parse_usb_id(text: &str) -> Result<sbc_core::attach::UsbId, String> {
    let hex = |part: &str| {
        let digits = part.strip_prefix("0x").unwrap_or(part);
        u16::from_str_radix(digits, 16).ok().filter(|&v| v != 0 && !digits.is_empty())
    };
    match text.split_once(':') {
        Some((v, p)) => match (hex(v), hex(p)) {
            (Some(vendor), Some(product)) => Ok(sbc_core::attach::UsbId { vendor, product }),
            _ => Err(format!("'{text}': VID and PID are 1 to 4 hex digits each, not 0")),
        },
        None => Err(format!("'{text}': expected VID:PID in hex, e.g. 174c:2362")),
    }
}
