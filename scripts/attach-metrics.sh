#!/usr/bin/env bash
# attach-metrics.sh: the numbers behind docs/performance.md's attach section.
#
# For every simulated zoo device: commands per attach, how many were repeats (retries), and
# virtual time with the host loop's 1 ms-per-command latency model. Then wall time of a
# real attach against tgtd over loopback iSCSI (median of RUNS logins + attaches, in one
# process, through the project's tgtd harness: examples/attach_wall_time.rs).
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

echo
cargo run --release --features iscsi --quiet --example attach_wall_time
