#!/usr/bin/env bash
# The one test command (the README's second command; .ci/run calls it).
#
# Installs the system packages the suite needs when they are missing, then runs:
# rustfmt, clippy and rustdoc (warnings are errors), every test (the bindgen drift test included; the
# dext's C++ is built with g++ -Werror by build.rs and run by the kernel model's tests),
# the dext's C++ again under ASan/UBSan, Miri on the C ABI, a compile of the fuzz targets,
# and the freestanding-staticlib proof.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n==> %s (t+%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "system packages"
# package -> a file it installs (checked, so an installed machine makes no apt call)
declare -A probe=(
  [g++]=/usr/bin/g++                          # C++ header checks, libFuzzer
  [libclang-dev]=/usr/lib/llvm-14/lib/libclang.so  # bindgen drift test
  [sg3-utils]=/usr/bin/sg_vpd                 # peer decoders: sg_inq, sg_vpd, sg_decode_sense, ...
  [libsgutils2-dev]=/usr/include/scsi/sg_lib.h    # libsgutils2 benchmarks
  [libatasmart-bin]=/usr/sbin/skdump          # IDENTIFY / SMART peer
  [pkg-config]=/usr/bin/pkg-config
  [tgt]=/usr/sbin/tgtd                        # a real SBC target (iSCSI) the tests start on loopback
  [libiscsi-dev]=/usr/include/iscsi/iscsi.h   # the initiator that talks to it (feature `iscsi`)
  [shellcheck]=/usr/bin/shellcheck            # scripts/*.sh are shellcheck clean
)
missing=()
for pkg in "${!probe[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "all present"
fi
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --check

step "cargo clippy (warnings are errors)"
# The staticlib is checked on its own: built together with the host crates, cargo unifies
# features (bitflags/std) and std would collide with its panic handler.
cargo clippy --workspace --exclude sbc-core-staticlib --all-targets --features regen-bindings,iscsi --quiet -- -D warnings
cargo clippy -p sbc-core-staticlib --quiet -- -D warnings
cargo clippy --manifest-path fuzz/Cargo.toml --quiet -- -D warnings

step "cargo doc (warnings are errors: broken and private intra-doc links)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --exclude sbc-core-staticlib --quiet
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p sbc-core --features serde --quiet

step "cargo test"
cargo test --workspace --exclude sbc-core-staticlib --features regen-bindings,iscsi --quiet


step "cargo check and clippy for the Mac (aarch64-apple-darwin)"
# `sbc-dext status` reads the live I/O Registry through IOKit on a Mac only: check that
# code for the Mac here. build.rs skips the kernel model's C++ for this cross check (and
# says so). The `oslog` feature's dependency compiles C against the macOS SDK, which is not
# here; a check links nothing, so a stand-in compiler that writes empty objects lets its
# Rust be checked too.
if rustup target list --installed 2>/dev/null | grep -qx aarch64-apple-darwin \
   || rustup target add aarch64-apple-darwin >/dev/null 2>&1; then
  cargo check --target aarch64-apple-darwin --quiet
  standin=$(mktemp -d)
  cat >"$standin/clang" <<'STANDIN'
#!/bin/sh
# Check-only stand-in for the Mac's C compiler: cc-rs's probes, then empty objects.
case " $* " in
  *" -E "*) echo '#pragma message "clang"'; exit 0 ;;
  *" -? "*) exit 1 ;;
esac
while [ $# -gt 0 ]; do [ "$1" = -o ] && : >"$2"; shift; done
exit 0
STANDIN
  chmod +x "$standin/clang"
  CC_aarch64_apple_darwin="$standin/clang" \
    cargo clippy --target aarch64-apple-darwin --features oslog --quiet -- -D warnings
  rm -rf "$standin"
else
  echo "skipped: rustup cannot add the aarch64-apple-darwin target on this machine"
fi

step "the dext's C++ under AddressSanitizer and UndefinedBehaviorSanitizer"
# The shim and the DriverKit facsimile, instrumented (SBC_DEXT_SANITIZE=1 in build.rs), run
# the kernel model's tests: every zoo device, both call orders, detach mid-attach and 1,000
# attach/detach cycles. Only the test binary gets the sanitizer runtime (LD_PRELOAD through
# cargo's runner; an explicit --target keeps RUSTFLAGS off the build scripts).
host=$(rustc -vV | sed -n 's/^host: //p')
runner="CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUNNER"
env SBC_DEXT_SANITIZE=1 \
    RUSTFLAGS="-C link-arg=-lasan -C link-arg=-lubsan" \
    "$runner=env LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1" \
    cargo test --target "$host" --target-dir target/sanitize --test kernel_model --quiet

step "Miri on the C ABI's unsafe paths"
if cargo +nightly miri --version >/dev/null 2>&1 \
   || rustup component add --toolchain nightly miri >/dev/null 2>&1; then
  cargo +nightly miri test -p sbc-core --features serde --lib --quiet ffi::
else
  echo "skipped: no nightly toolchain with miri on this machine (the C tests still ran)"
fi

step "staticlib is freestanding"
scripts/check-staticlib.sh

step "DriverKit archive: Mach-O, platform DRIVERKIT, minos >= 22.0, only mem* undefined"
# Skipped (and says so) without a nightly toolchain with rust-src, or without llvm-objdump.
scripts/driverkit-target.sh verify arm64 x86_64

step "shellcheck scripts/*.sh"
shellcheck scripts/*.sh

step "all passed in $(( $(date +%s) - started ))s"
