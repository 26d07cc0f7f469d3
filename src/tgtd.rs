//! tgtd, Linux's user-space SCSI target, as a test peer: an SBC disk written by people who
//! never saw this project, reached over loopback iSCSI.
//!
//! [`Tgtd::start`] runs a private tgtd (its own control socket and port, bound to 127.0.0.1)
//! with the LUNs asked for; dropping the handle stops it. The gotchas this handles
//! (docs/witnesses.md §tgtd: lifecycle): tgtd ignores SIGTERM, `tgtadm --op delete --mode
//! system` is accepted only once no target is left, live connections must be dropped first,
//! SIGKILL is the last resort, and tgtadm must run with tgtd's uid.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The target name every test instance serves.
pub const IQN: &str = "iqn.2026-11.org.sbc-dext:peer";

/// One logical unit to create. tgtd's LUN 0 is always its controller; disks start at 1.
#[derive(Debug, Clone)]
pub struct LunConfig {
    /// LUN number, 1 or more.
    pub lun: u32,
    /// Size of the sparse backing file in bytes.
    pub size: u64,
    /// Logical block length (`--blocksize`); tgtd's default is 512.
    pub block_size: u32,
    /// `--params` pairs, e.g. `("thin_provisioning", "1")`, `("readonly", "1")`,
    /// `("sense_format", "1")`, `("vendor_id", "ACME")`.
    pub params: Vec<(String, String)>,
}

impl LunConfig {
    /// A plain LUN of `size` bytes with `block_size`-byte blocks.
    pub fn new(lun: u32, size: u64, block_size: u32) -> Self {
        LunConfig { lun, size, block_size, params: Vec::new() }
    }

    /// Adds a `--params` pair.
    pub fn param(mut self, key: &str, value: &str) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }
}

/// A running private tgtd.
pub struct Tgtd {
    child: Child,
    work: PathBuf,
    socket: PathBuf,
    port: u16,
}

static INSTANCE: AtomicU32 = AtomicU32::new(0);

impl Tgtd {
    /// Starts tgtd on a free loopback port with one target holding `luns`.
    ///
    /// # Errors
    /// tgtd missing (install the `tgt` package; scripts/test.sh does), or any tgtadm step
    /// failing; the message carries tgtadm's output and tgtd's log.
    pub fn start(luns: &[LunConfig]) -> Result<Tgtd, String> {
        let tgtd = Self::spawn_on_free_port()?;
        tgtd.tgtadm(&[
            "--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "1", "-T", IQN,
        ])?;
        for lun in luns {
            let store = tgtd.work.join(format!("lun{}.img", lun.lun));
            let file = std::fs::File::create(&store).map_err(|e| e.to_string())?;
            file.set_len(lun.size).map_err(|e| e.to_string())?;
            let (lun_no, block) = (lun.lun.to_string(), lun.block_size.to_string());
            let store = store.to_string_lossy().into_owned();
            tgtd.tgtadm(&[
                "--lld",
                "iscsi",
                "--op",
                "new",
                "--mode",
                "logicalunit",
                "--tid",
                "1",
                "--lun",
                &lun_no,
                "--backing-store",
                &store,
                "--blocksize",
                &block,
            ])?;
            if !lun.params.is_empty() {
                let params: Vec<String> =
                    lun.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                tgtd.tgtadm(&[
                    "--lld",
                    "iscsi",
                    "--op",
                    "update",
                    "--mode",
                    "logicalunit",
                    "--tid",
                    "1",
                    "--lun",
                    &lun_no,
                    "--params",
                    &params.join(","),
                ])?;
            }
        }
        tgtd.tgtadm(&[
            "--lld",
            "iscsi",
            "--op",
            "bind",
            "--mode",
            "target",
            "--tid",
            "1",
            "--initiator-address",
            "127.0.0.1",
        ])?;
        Ok(tgtd)
    }

    /// A tgtd whose portal is 127.0.0.1 on a port nobody else had. A free port can be taken
    /// between the probe and tgtd's bind (by a tgtd of a test running in parallel); tgtd
    /// then logs "unable to bind" and serves its default portal instead, so the portal is
    /// checked, and on a miss that tgtd is stopped and another port tried.
    fn spawn_on_free_port() -> Result<Tgtd, String> {
        const TRIES: usize = 5;
        let mut last = String::new();
        for _ in 0..TRIES {
            // Each try in its own folder (control socket, log, backing files): a tgtd that
            // lost its port is dropped, which stops it and removes its folder.
            let n = INSTANCE.fetch_add(1, Ordering::Relaxed);
            let work =
                std::env::temp_dir().join(format!("sbc-dext-tgtd-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
            let socket = work.join("ipc");
            let port = free_port()?;
            let log = std::fs::File::create(work.join("tgtd.log")).map_err(|e| e.to_string())?;
            let child = Command::new("tgtd")
                .args(["-f", "--iscsi", &format!("portal=127.0.0.1:{port}")])
                .env("TGT_IPC_SOCKET", &socket)
                .stdin(Stdio::null())
                .stdout(log.try_clone().map_err(|e| e.to_string())?)
                .stderr(log)
                .spawn()
                .map_err(|e| format!("cannot start tgtd ({e}); install the `tgt` package"))?;
            let mut tgtd = Tgtd { child, work, socket, port };
            tgtd.wait_for_control_socket()?;
            let portals = tgtd.tgtadm(&["--lld", "iscsi", "--op", "show", "--mode", "portal"])?;
            if portals.contains(&format!("127.0.0.1:{port},")) {
                return Ok(tgtd);
            }
            last = format!("tgtd did not bind 127.0.0.1:{port}: {portals}\n{}", tgtd.log());
        }
        Err(format!("no free portal in {TRIES} tries; the last: {last}"))
    }

    /// The libiscsi URL of `lun`.
    pub fn url(&self, lun: u32) -> String {
        format!("iscsi://127.0.0.1:{}/{IQN}/{lun}", self.port)
    }

    /// tgtd's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.work.join("tgtd.log")).unwrap_or_default()
    }

    /// Sends `signal` (a name `kill -s` takes: STOP, CONT, KILL) to tgtd: tests make the
    /// target hang or die mid-attach with it.
    pub fn signal(&self, signal: &str) -> Result<(), String> {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .map_err(|e| format!("cannot run kill: {e}"))?;
        status.success().then_some(()).ok_or_else(|| format!("kill -s {signal} failed: {status}"))
    }

    /// Runs tgtadm against this instance.
    pub fn tgtadm(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("tgtadm")
            .args(args)
            .env("TGT_IPC_SOCKET", &self.socket)
            .output()
            .map_err(|e| format!("cannot run tgtadm ({e}); install the `tgt` package"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("tgtadm {}: {text}\ntgtd log:\n{}", args.join(" "), self.log()))
        }
    }

    fn wait_for_control_socket(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.tgtadm(&["--op", "show", "--mode", "system"]).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("tgtd exited at start ({status}):\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("tgtd's control socket never answered:\n{}", self.log()))
    }

    fn stop(&mut self) {
        // A stopped tgtd would leave tgtadm waiting forever.
        let _ = self.signal("CONT");
        let tid = ["--tid", "1"];
        let iscsi = ["--lld", "iscsi"];
        let offline = [
            &iscsi[..],
            &["--op", "update", "--mode", "target"],
            &tid,
            &["-n", "state", "-v", "offline"],
        ]
        .concat();
        let _ = self.tgtadm(&offline);
        if let Ok(conns) =
            self.tgtadm(&[&iscsi[..], &["--op", "show", "--mode", "conn"], &tid].concat())
        {
            let mut session = None;
            for line in conns.lines() {
                let mut words = line.split_whitespace();
                match (words.next(), words.next()) {
                    (Some("Session:"), Some(s)) => session = Some(s.to_string()),
                    (Some("Connection:"), Some(c)) => {
                        if let Some(s) = &session {
                            let delete = [
                                &iscsi[..],
                                &["--op", "delete", "--mode", "conn"],
                                &tid,
                                &["--sid", s, "--cid", c],
                            ]
                            .concat();
                            let _ = self.tgtadm(&delete);
                        }
                    }
                    _ => {}
                }
            }
        }
        let _ = self.tgtadm(
            &[&iscsi[..], &["--op", "delete", "--mode", "target"], &tid, &["--force"]].concat(),
        );
        let _ = self.tgtadm(&["--op", "delete", "--mode", "system"]);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Last resort: tgtd ignores SIGTERM; Child::kill sends SIGKILL.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Tgtd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}
