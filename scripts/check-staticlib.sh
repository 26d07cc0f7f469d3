#!/usr/bin/env bash
# check-staticlib.sh: prove the archive the dext links is freestanding.
#
#  1. builds libsbc_core_static.a in release;
#  2. lists the symbols it needs from outside itself (readelf -sW: GNU nm misreports LLVM
#     bitcode members on Debian 12) and fails on anything beyond
#     memcpy memmove memset memcmp bcmp;
#  3. links it into tests/c/freestanding_start.c with gcc -nostdlib -static (no libc, no
#     crt) and runs the result, which calls through sbc_core.h;
#  4. reports the linked size of the core: tests/c/every_function.c references every ABI
#     function, linked with --gc-sections;
#  5. where the toolchain allows, builds the core for x86_64-unknown-none (no std exists
#     there at all) and, with nightly + rust-src, for a DriverKit-tagged target spec,
#     saying whether each step ran.
set -euo pipefail
cd "$(dirname "$0")/.."
ALLOWED="bcmp memcmp memcpy memmove memset"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
out="$TARGET_DIR/check-staticlib"
mkdir -p "$out"

cargo build --release -p sbc-core-staticlib --quiet
lib="$TARGET_DIR/release/libsbc_core_static.a"

needed=$(readelf -sW "$lib" 2>/dev/null | awk '$1 ~ /^[0-9]+:$/ && NF >= 8 {
  if ($7 == "UND") u[$8] = 1; else if ($5 == "GLOBAL" || $5 == "WEAK") d[$8] = 1 }
  END { for (s in u) if (!(s in d)) print s }' | sort | tr '\n' ' ' | sed 's/ $//')
size=$(stat -c %s "$lib")
echo "staticlib: $lib ($size bytes)"
echo "staticlib needs: ${needed:-nothing}"
for sym in $needed; do
  case " $ALLOWED " in
    *" $sym "*) ;;
    *) echo "FAIL: the staticlib needs '$sym', which a dext does not provide (allowed: $ALLOWED)"; exit 1 ;;
  esac
done

gcc -O1 -static -nostdlib -ffreestanding -fno-stack-protector -Wall -Wextra -Werror \
  -Icore/include -o "$out/freestanding" tests/c/freestanding_start.c "$lib" -Wl,--gc-sections
if "$out/freestanding"; then
  echo "freestanding link: ok (gcc -nostdlib -static, ran and returned 0)"
else
  echo "FAIL: the freestanding program exited with $?"; exit 1
fi

# The Rust code a dext using the whole ABI carries: a program referencing every function of
# sbc_core.h, linked with --gc-sections, minus the same program without the references.
for variant in without with; do
  flag=; [ "$variant" = with ] && flag=-DSBC_EVERY_FUNCTION
  gcc -Os -Wall -Wextra -Werror -Icore/include $flag -o "$out/every-$variant" \
    tests/c/every_function.c "$lib" -Wl,--gc-sections
done
read -r t0 d0 b0 _ < <(size "$out/every-without" | tail -1)
read -r t1 d1 b1 _ < <(size "$out/every-with" | tail -1)
echo "linked size of the core (every ABI function, --gc-sections, $(uname -m)):" \
  "text $((t1 - t0)), data $((d1 - d0)), bss $((b1 - b0)) bytes"

if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-none \
   || rustup target add x86_64-unknown-none >/dev/null 2>&1; then
  cargo build --release -p sbc-core --target x86_64-unknown-none --quiet
  echo "x86_64-unknown-none build: ran, ok"
else
  echo "x86_64-unknown-none build: skipped (rustup could not add the target)"
fi

if cargo +nightly --version >/dev/null 2>&1 \
   && { rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src' \
        || rustup component add --toolchain nightly rust-src >/dev/null 2>&1; }; then
  # The spec and the build are scripts/driverkit-target.sh's (its `verify`, a step of
  # scripts/test.sh, also checks the archive's Mach-O platform and symbols).
  if dk_lib=$(scripts/driverkit-target.sh build arm64 2>"$out/driverkit.log"); then
    echo "DriverKit-tagged build (nightly, -Z build-std=core, scripts/driverkit-target.sh): ran, ok: $dk_lib"
  else
    echo "FAIL: DriverKit-tagged build failed:"; cat "$out/driverkit.log"; exit 1
  fi
else
  echo "DriverKit-tagged build: skipped (no nightly toolchain with rust-src)"
fi
