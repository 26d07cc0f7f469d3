#!/usr/bin/env bash
# driverkit-target.sh: the core's static library for DriverKit (nightly, -Z build-std=core),
# and the proof that the archive is what a dext can link.
#
#   scripts/driverkit-target.sh spec ARCH         write the target spec, print its path
#   scripts/driverkit-target.sh build ARCH...     build libsbc_core_static.a, print its path
#   scripts/driverkit-target.sh check ARCHIVE ARCH
#                                                 every member is a Mach-O ARCH object with
#                                                 LC_BUILD_VERSION platform DRIVERKIT, minos
#                                                 >= DRIVERKIT_DEPLOYMENT_TARGET; undefined
#                                                 symbols only _memcpy _memmove _memset
#                                                 _memcmp _bzero _bcmp
#   scripts/driverkit-target.sh verify [ARCH...]  build + check (default: arm64 x86_64); says
#                                                 "skipped" and exits 0 without nightly +
#                                                 rust-src or without llvm-objdump/llvm-nm
#
# ARCH is Apple's name: arm64, arm64e or x86_64 (what build-dext.sh --arch takes).
#
# Environment:
#   DRIVERKIT_DEPLOYMENT_TARGET  the minimum DriverKit version, in the llvm-target and so in
#                                every object's LC_BUILD_VERSION minos. Default 22.0: the
#                                first DriverKit with SCSIPeripheralsDriverKit (macOS 13;
#                                docs/driverkit.md §What the framework is for). On a Mac it
#                                must not exceed the SDK (`xcrun --sdk driverkit
#                                --show-sdk-version`), which is checked. It is the deployment
#                                target, not the SDK version: objects built for a newer
#                                DriverKit than the dext's own deployment target make ld64
#                                warn and would keep the dext from macOS 13.
#   CARGO_TARGET_DIR             as for cargo (default target/); specs go to
#                                $CARGO_TARGET_DIR/driverkit/specs, builds to
#                                $CARGO_TARGET_DIR/driverkit
#   LLVM_OBJDUMP, LLVM_NM        the tools the check uses (default: llvm-objdump / llvm-nm on
#                                PATH, Debian's /usr/lib/llvm-*/bin, or Xcode's through xcrun)
#
# The spec is derived from rustc's own aarch64-apple-darwin (arm64e-apple-darwin,
# x86_64-apple-darwin) spec, so the ABI, data layout, CPU and frame-pointer rules stay Apple's;
# only these keys change (each is explained where it is set, in spec_overrides below):
# llvm-target, os, vendor, is-like-darwin, has-thread-local, panic-strategy, dynamic-linking,
# has-rpath, target-family, metadata; linker-only and sanitizer keys are dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}
MIN=${DRIVERKIT_DEPLOYMENT_TARGET:-22.0}
ALLOWED_UNDEFINED="_bcmp _bzero _memcmp _memcpy _memmove _memset"

die() { echo "driverkit-target.sh: $*" >&2; exit 1; }

# Apple's architecture name -> (the rustc target the spec is derived from, LLVM's arch).
base_target() {
  case "$1" in
    arm64) echo aarch64-apple-darwin ;;
    arm64e) echo arm64e-apple-darwin ;;
    x86_64) echo x86_64-apple-darwin ;;
    *) die "unknown architecture '$1' (arm64, arm64e or x86_64)" ;;
  esac
}

# The spec's file name is the target's name for cargo: ARCH-apple-driverkit.
spec_path() { echo "$TARGET_DIR/driverkit/specs/$1-apple-driverkit.json"; }
archive_path() { echo "$TARGET_DIR/driverkit/$1-apple-driverkit/release/libsbc_core_static.a"; }

# "22.0" -> 220000 for comparisons (major, minor, patch: two digits each below major).
version_number() {
  local major minor patch
  IFS=. read -r major minor patch <<<"$1"
  echo $(( ${major:-0} * 10000 + ${minor:-0} * 100 + ${patch:-0} ))
}

check_min_version() {
  [[ "$MIN" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] \
    || die "DRIVERKIT_DEPLOYMENT_TARGET '$MIN' is not a version like 22.0"
  [ "$(version_number "$MIN")" -ge 220000 ] \
    || die "DRIVERKIT_DEPLOYMENT_TARGET $MIN is below 22.0, where SCSIPeripheralsDriverKit starts"
  if command -v xcrun >/dev/null 2>&1; then
    local sdk
    if sdk=$(xcrun --sdk driverkit --show-sdk-version 2>/dev/null) && [ -n "$sdk" ]; then
      [ "$(version_number "$MIN")" -le "$(version_number "$sdk")" ] \
        || die "DRIVERKIT_DEPLOYMENT_TARGET $MIN is newer than the DriverKit SDK ($sdk)"
    fi
  fi
}

# key<TAB>value lines: a JSON value replaces the key (or is added), DELETE removes it.
spec_overrides() {
  local arch=$1
  # LLVM reads the minimum version from the triple's OS version: with none it writes its
  # own floor (20.0 for arm64), not 22.0. Platform DRIVERKIT in LC_BUILD_VERSION comes
  # from the "driverkit" OS of this triple.
  printf 'llvm-target\t"%s-apple-driverkit%s"\n' "$arch" "$MIN"
  # target_os = "driverkit": what the objects are for. No crate of the core has code for
  # any os; nothing reads the cfg today.
  printf 'os\t"driverkit"\n'
  # is-like-darwin false: rustc's Darwin handling computes a deployment target from the os,
  # knows only macos/ios/tvos/watchos/visionos, and stops with an internal compiler error on
  # "driverkit" (rustc 1.97 nightly: "tried to get deployment target for non-Apple
  # platform"); it would also rewrite llvm-target and pass macOS linker arguments. Only the
  # llvm-target above may decide the platform, and rustc never links here (a staticlib:
  # Apple's ld links the dext), so none of that handling is needed.
  printf 'is-like-darwin\tfalse\n'
  # vendor: rustc requires is-like-darwin exactly when vendor is "apple" ("`is_like_darwin`
  # must be set if and only if `vendor` is `apple`"), so cfg(target_vendor) is "unknown".
  # The objects are Apple's all the same: Mach-O, Apple's ABI, from the -apple- triple.
  printf 'vendor\t"unknown"\n'
  # linker-flavor: rustc requires "darwin" exactly when is-like-darwin is set. rustc never
  # runs a linker for this staticlib (Apple's ld links the dext), so the flavor is only a
  # placeholder; "gnu-cc" is the default flavor of a Unix-like custom target.
  printf 'linker-flavor\t"gnu-cc"\n'
  printf 'lld-flavor\tDELETE\n'
  # DriverKit code gets no Rust thread-locals; the core uses none (no_std, no alloc).
  printf 'has-thread-local\tfalse\n'
  # A dext has nobody to unwind to; core/staticlib's panic handler traps. With abort as the
  # target's strategy, -Z build-std builds `core` itself without unwinding tables.
  printf 'panic-strategy\t"abort"\n'
  # A static library only: no dylibs, no rpaths.
  printf 'dynamic-linking\tfalse\n'
  printf 'has-rpath\tfalse\n'
  # Not a Unix process environment for Rust's purposes: cfg(unix) code must not be chosen.
  printf 'target-family\tDELETE\n'
  # Linker environment and sanitizer runtimes belong to the macOS target; neither applies.
  printf 'link-env\tDELETE\n'
  printf 'link-env-remove\tDELETE\n'
  printf 'supported-sanitizers\tDELETE\n'
  printf 'supports-xray\tDELETE\n'
  printf 'metadata\t{"description": "%s Apple DriverKit (%s+), sbc-dext core archive", "host_tools": false, "std": false, "tier": null}\n' "$arch" "$MIN"
}

# Apply spec_overrides to rustc's pretty-printed spec (one top-level key per line at two
# spaces, nested values indented deeper), keeping its key order; new keys go last.
write_spec() {
  local arch=$1 base out
  base=$(base_target "$arch")
  out=$(spec_path "$arch")
  check_min_version
  mkdir -p "$(dirname "$out")"
  rustc +nightly -Z unstable-options --print target-spec-json --target "$base" \
    | awk -v overrides="$(spec_overrides "$arch")" '
      BEGIN {
        n = split(overrides, lines, "\n")
        for (i = 1; i <= n; i++) {
          tab = index(lines[i], "\t")
          k = substr(lines[i], 1, tab - 1); over[k] = substr(lines[i], tab + 1); order[i] = k
        }
        nover = n; count = 0
      }
      /^  "/ {
        count++
        key[count] = $0; sub(/^  "/, "", key[count]); sub(/".*/, "", key[count])
        text[count] = $0; next
      }
      /^}/ { next }
      /^{/ { next }
      { text[count] = text[count] "\n" $0 }
      END {
        out = 0
        for (i = 1; i <= count; i++) {
          t = text[i]; sub(/,[ \t]*$/, "", t)
          k = key[i]; seen[k] = 1
          if (k in over) {
            if (over[k] == "DELETE") continue
            t = "  \"" k "\": " over[k]
          }
          entries[++out] = t
        }
        for (i = 1; i <= nover; i++) {
          k = order[i]
          if (!(k in seen) && over[k] != "DELETE") entries[++out] = "  \"" k "\": " over[k]
        }
        print "{"
        for (i = 1; i <= out; i++) print entries[i] (i < out ? "," : "")
        print "}"
      }' >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "$out"
}

build_one() {
  local arch=$1 spec log
  spec=$(write_spec "$arch")
  log="$TARGET_DIR/driverkit/build-$arch.log"
  if ! cargo +nightly build --release -p sbc-core-staticlib --quiet -Z build-std=core \
       -Z json-target-spec --target "$spec" --target-dir "$TARGET_DIR/driverkit" 2>"$log"; then
    cat "$log" >&2
    die "the $arch build failed (spec $spec)"
  fi
  archive_path "$arch"
}

# A tool from the environment, PATH, Debian's versioned LLVM, or Xcode.
find_tool() {
  local var=$1 name=$2 alt=$3 candidate
  if [ -n "${!var:-}" ]; then echo "${!var}"; return 0; fi
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  for candidate in /usr/lib/llvm-*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  if command -v xcrun >/dev/null 2>&1; then
    xcrun --find "$name" 2>/dev/null && return 0
    xcrun --find "$alt" 2>/dev/null && return 0
  fi
  return 1
}

check_archive() {
  local archive=$1 arch=$2 objdump nm want members parsed undefined defined extra
  [ -f "$archive" ] || die "no archive at $archive"
  check_min_version
  objdump=$(find_tool LLVM_OBJDUMP llvm-objdump objdump) || die "no llvm-objdump (Debian package llvm)"
  nm=$(find_tool LLVM_NM llvm-nm nm) || die "no llvm-nm (Debian package llvm)"
  case "$arch" in
    arm64) want="ARM64 ALL" ;;
    arm64e) want="ARM64 E" ;;
    x86_64) want="X86_64 ALL" ;;
    *) die "unknown architecture '$arch' (arm64, arm64e or x86_64)" ;;
  esac
  members=$(member_count "$archive" "$objdump")
  # One line per member: NAME CPUTYPE CPUSUBTYPE BUILD_VERSIONS PLATFORM MINOS VERSION_MINS
  parsed=$("$objdump" --macho --private-headers "$archive" | awk '
    function flush() {
      if (name != "") print name, cpu, sub_, nbv, platform, minos, nvm
      cpu = "-"; sub_ = "-"; nbv = 0; platform = "-"; minos = "-"; nvm = 0
    }
    /^[^ ].*\(.*\):$/ { flush(); name = $0; sub(/^.*\(/, "", name); sub(/\):$/, "", name); next }
    /^ *magic +cputype/ { header = 1; next }
    header { cpu = $2; sub_ = $3; header = 0; next }
    /^ *cmd LC_BUILD_VERSION/ { nbv++; inbv = 1; next }
    /^ *cmd LC_VERSION_MIN_/ { nvm++; next }
    /^ *cmd / { inbv = 0; next }
    inbv && /^ *platform / { platform = tolower($2) }
    inbv && /^ *minos / { minos = $2 }
    END { flush() }')
  local fail=0 n=0 name cpu sub nbv platform minos nvm
  while read -r name cpu sub nbv platform minos nvm; do
    [ -n "$name" ] || continue
    n=$((n + 1))
    if [ "$cpu $sub" != "$want" ]; then
      echo "FAIL: $name: Mach-O $cpu $sub, want $want"; fail=1
    fi
    if [ "$nbv" != 1 ] || [ "$nvm" != 0 ]; then
      echo "FAIL: $name: $nbv LC_BUILD_VERSION and $nvm LC_VERSION_MIN_* commands, want one and none"; fail=1
    fi
    if [ "$platform" != driverkit ] && [ "$platform" != 10 ]; then
      echo "FAIL: $name: platform $platform, want DRIVERKIT (10)"; fail=1
    fi
    if [ "$minos" = - ] || [ "$(version_number "$minos")" -lt "$(version_number "$MIN")" ]; then
      echo "FAIL: $name: minos $minos, want >= $MIN"; fail=1
    fi
  done <<<"$parsed"
  if [ "$n" -eq 0 ] || [ "$n" != "$members" ]; then
    echo "FAIL: $archive has $members members, $n of them Mach-O objects"; fail=1
  fi
  # Undefined symbols of the archive as a whole: referenced by a member, defined by none.
  # --no-llvm-bc: compiler_builtins carries an __LLVM,__bitcode section that an older
  # llvm-nm cannot read; the Mach-O symbol table is what ld64 uses.
  undefined=$("$nm" --no-llvm-bc -u -j "$archive" 2>/dev/null | grep -v -e ':$' -e '^$' | sort -u)
  defined=$("$nm" --no-llvm-bc -g -j --defined-only "$archive" 2>/dev/null | grep -v -e ':$' -e '^$' | sort -u)
  extra=$(comm -23 <(echo "$undefined") <(echo "$defined") | while read -r sym; do
    case " $ALLOWED_UNDEFINED " in *" $sym "*) ;; *) [ -n "$sym" ] && echo "$sym" ;; esac
  done)
  local needed
  needed=$(comm -23 <(echo "$undefined") <(echo "$defined") | tr '\n' ' ' | sed 's/ *$//')
  if [ -n "$extra" ]; then
    echo "FAIL: $archive needs $(echo "$extra" | tr '\n' ' ')(allowed: $ALLOWED_UNDEFINED)"; fail=1
  fi
  if [ "$fail" -ne 0 ]; then return 1; fi
  echo "$arch: $archive: $n Mach-O $want objects, platform DRIVERKIT, minos $(awk '{print $6}' <<<"$parsed" | sort -u | tr '\n' ' ')(>= $MIN), needs: ${needed:-nothing}"
}

# The number of members, from the archive's own member headers (llvm-objdump --macho
# --archive-headers prints one line per member, the symbol table included).
member_count() {
  "$2" --macho --archive-headers "$1" | awk '$1 ~ /^[-rwxsStT]+$/ && NF >= 8 && $NF !~ /^__\.SYMDEF/ { n++ } END { print n + 0 }'
}

verify() {
  local archs=("$@") arch archive
  [ ${#archs[@]} -gt 0 ] || archs=(arm64 x86_64)
  if ! cargo +nightly --version >/dev/null 2>&1 \
     || ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "DriverKit archive check: skipped (no nightly toolchain with rust-src)"
    return 0
  fi
  if ! find_tool LLVM_OBJDUMP llvm-objdump objdump >/dev/null \
     || ! find_tool LLVM_NM llvm-nm nm >/dev/null; then
    echo "DriverKit archive check: skipped (no llvm-objdump / llvm-nm: Debian package llvm)"
    return 0
  fi
  for arch in "${archs[@]}"; do
    archive=$(build_one "$arch")
    check_archive "$archive" "$arch"
  done
  echo "DriverKit archive check: ran, ok (${archs[*]}; nightly, -Z build-std=core, minos $MIN)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  spec) [ $# -eq 1 ] || die "usage: spec ARCH"; write_spec "$1" ;;
  build) [ $# -ge 1 ] || die "usage: build ARCH..."; for a in "$@"; do build_one "$a"; done ;;
  check) [ $# -eq 2 ] || die "usage: check ARCHIVE ARCH"; check_archive "$1" "$2" ;;
  verify) verify "$@" ;;
  *) die "usage: driverkit-target.sh spec ARCH | build ARCH... | check ARCHIVE ARCH | verify [ARCH...]" ;;
esac
