#!/usr/bin/env bash
# attach-metrics.sh: the numbers behind docs/performance.md's attach section.
#
# For every simulated zoo device: commands per attach, how many were repeats (retries), and
# virtual time with the host loop's 1 ms-per-command latency model. Then wall time of a
# real attach against tgtd over loopback iSCSI (median of N runs of the release binary,
# process start and iSCSI login included).
#
# Needs the `iscsi` feature's packages (scripts/test.sh installs them). Prints markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
cargo build --release --features iscsi --quiet
bin=target/release/sbc-dext

echo "| device | verdict | commands | repeats | VPD pages read | virtual time |"
echo "|---|---|---|---|---|---|"
for name in $(sed -n '/^pub const NAMES/,/^];/p' src/sim/zoo.rs | grep -o '"[a-z0-9-]*"' | tr -d '"'); do
  { $bin attach "sim:$name" --json --transcript || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)
cdbs = [x["cdb"] for x in d["transcript"]]
repeats = len(cdbs) - len(set(cdbs))
# EVPD INQUIRYs that read a page body (allocation length above the 4-byte header)
pages = sorted({c[4:6] for c in cdbs if c.startswith("1201") and int(c[6:10], 16) > 4 and c[4:6] != "00"})
print("| %s | %s | %d | %d | %s | %d ms |" % (sys.argv[1], d["result"], d["commands"], repeats, " ".join(pages) or "-", d["virtual_time_ms"]))
' "$name"
done

work=$(mktemp -d)
export TGT_IPC_SOCKET="$work/ipc"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/sbin/tgtd -f --iscsi portal=127.0.0.1:$port >"$work/tgtd.log" 2>&1 &
pid=$!
cleanup() {
  tgtadm --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
  tgtadm --op delete --mode system >/dev/null 2>&1 || true
  sleep 0.2; kill -KILL "$pid" 2>/dev/null || true; rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do tgtadm --op show --mode system >/dev/null 2>&1 && break; sleep 0.05; done
iqn=iqn.2026-11.org.sbc-dext:metrics
truncate -s 64M "$work/lun1.img"
tgtadm --lld iscsi --op new --mode target --tid 1 -T $iqn
tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$work/lun1.img"
tgtadm --lld iscsi --op bind --mode target --tid 1 --initiator-address 127.0.0.1
url="iscsi://127.0.0.1:$port/$iqn/1"
commands=$($bin attach "$url" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["commands"])')
python3 - "$bin" "$url" "$RUNS" "$commands" <<'PY'
import statistics, subprocess, sys, time
bin, url, runs, commands = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run([bin, "attach", url, "--json"], check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print()
print("tgtd (64 MiB LUN, 512-byte blocks, loopback): %s commands; wall time per attach, "
      "median of %d runs: %.1f ms (min %.1f, max %.1f)" % (commands, runs, statistics.median(times), min(times), max(times)))
PY
