#!/usr/bin/env bash
# build-dext.sh: build, assemble and sign the sbc-dext driver extension on a Mac (Xcode 15+,
# with the DriverKit SDK), and with --app the host app that activates it.
#
#   scripts/build-dext.sh --bundle-id ID --team-id TEAM [--identity NAME] [--profile FILE]
#                         [--arch arm64|arm64e|x86_64[,...]] [--app [--app-profile FILE]]
#                         [--dry-run]
#
# Every flag is also an environment variable (the flag wins):
#   --bundle-id    SBC_BUNDLE_ID    the dext's bundle ID (required); also its PRODUCT_NAME and
#                                   EXECUTABLE_NAME, as in Xcode's DriverKit template, so the
#                                   bundle is build/ID.dext with the executable build/ID.dext/ID
#   --team-id      SBC_TEAM_ID      the Apple Developer team (required; 10 characters). Goes
#                                   into the signed entitlements (application identifier
#                                   TEAM.ID, team identifier) and is checked against --profile
#   --identity     SBC_IDENTITY     codesign identity (default "Apple Development"; a full
#                                   name or SHA-1 when the keychain holds several)
#   --profile      SBC_PROFILE      provisioning profile embedded as embedded.provisionprofile
#                                   (needed for the DriverKit entitlements to be honoured;
#                                   docs/mac-bring-up.md §Signing)
#   --arch         SBC_ARCH         comma-separated: arm64 (default), arm64e, x86_64; each one
#                                   is built separately and lipo'd into one universal binary
#   --app          SBC_APP=1        also build host-app/ into build/SbcDextHost.app with the
#                                   dext at Contents/Library/SystemExtensions/ID.dext
#   --app-profile  SBC_APP_PROFILE  the app's provisioning profile (embedded.provisionprofile)
#   --app-bundle-id SBC_APP_BUNDLE_ID  default: ID without its last component
#   --dry-run      SBC_DRY_RUN=1    print every command, run none (works without Xcode)
# Also: MARKETING_VERSION (default: the version in Cargo.toml), CURRENT_PROJECT_VERSION
# (default 1), DRIVERKIT_DEPLOYMENT_TARGET (default 22.0, see scripts/driverkit-target.sh),
# MACOSX_DEPLOYMENT_TARGET for the app (default 13.0), DRIVERKIT_SDK / MACOS_SDK (default:
# xcrun --show-sdk-path; with --dry-run, Xcode's default location).
#
# Steps: sbc-dext lint --strict; the core archive per architecture
# (scripts/driverkit-target.sh) and lipo; iig; clang++ per architecture; link against
# DriverKit, SCSIPeripheralsDriverKit and the archive; lipo; the bundle (Info.plist with the
# $(...) build settings substituted, the executable, the profile); lint of the bundle's
# Info.plist; codesign with entitlements.plist (plus the team's identifiers) and the hardened
# runtime; codesign --verify. Where each choice comes from: docs/driverkit.md §Bundle and
# signing.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "build-dext.sh: $*" >&2; exit 2; }

BUNDLE_ID=${SBC_BUNDLE_ID:-}
TEAM_ID=${SBC_TEAM_ID:-}
IDENTITY=${SBC_IDENTITY:-Apple Development}
PROFILE=${SBC_PROFILE:-}
ARCHS=${SBC_ARCH:-arm64}
APP=${SBC_APP:-0}
APP_PROFILE=${SBC_APP_PROFILE:-}
APP_BUNDLE_ID=${SBC_APP_BUNDLE_ID:-}
DRY_RUN=${SBC_DRY_RUN:-0}

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ] || [ "${2#--}" != "$2" ]; then die "$1 needs a value"; fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle-id) need_value "$@"; BUNDLE_ID=$2; shift 2 ;;
    --team-id) need_value "$@"; TEAM_ID=$2; shift 2 ;;
    --identity) need_value "$@"; IDENTITY=$2; shift 2 ;;
    --profile) need_value "$@"; PROFILE=$2; shift 2 ;;
    --arch) need_value "$@"; ARCHS=$2; shift 2 ;;
    --app) APP=1; shift ;;
    --app-profile) need_value "$@"; APP_PROFILE=$2; shift 2 ;;
    --app-bundle-id) need_value "$@"; APP_BUNDLE_ID=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (--help lists the flags)" ;;
  esac
done

[ -n "$BUNDLE_ID" ] || die "missing --bundle-id (or SBC_BUNDLE_ID): the dext's bundle ID, e.g. com.example.sbc-dext"
[ -n "$TEAM_ID" ] || die "missing --team-id (or SBC_TEAM_ID): the 10-character Apple Developer team ID"
[[ "$BUNDLE_ID" =~ ^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$ ]] \
  || die "--bundle-id '$BUNDLE_ID' is not a reverse-DNS bundle ID (letters, digits, '-', '.')"
[[ "$TEAM_ID" =~ ^[A-Z0-9]{10}$ ]] || die "--team-id '$TEAM_ID' is not 10 upper-case letters and digits"
[ -n "$APP_BUNDLE_ID" ] || APP_BUNDLE_ID=${BUNDLE_ID%.*}
[[ "$APP_BUNDLE_ID" =~ ^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$ ]] \
  || die "--app-bundle-id '$APP_BUNDLE_ID' is not a reverse-DNS bundle ID"
IFS=, read -r -a ARCH_LIST <<<"$ARCHS"
[ ${#ARCH_LIST[@]} -gt 0 ] || die "--arch needs at least one of arm64, arm64e, x86_64"
for arch in "${ARCH_LIST[@]}"; do
  case "$arch" in arm64|arm64e|x86_64) ;; *) die "--arch '$arch' is not arm64, arm64e or x86_64" ;; esac
done
for f in "$PROFILE" "$APP_PROFILE"; do
  [ -z "$f" ] || [ "$DRY_RUN" = 1 ] || [ -f "$f" ] || die "no provisioning profile at '$f'"
done

MARKETING_VERSION=${MARKETING_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)}
CURRENT_PROJECT_VERSION=${CURRENT_PROJECT_VERSION:-1}
DK_MIN=${DRIVERKIT_DEPLOYMENT_TARGET:-22.0}
MACOS_MIN=${MACOSX_DEPLOYMENT_TARGET:-13.0}
[[ "$MACOS_MIN" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "MACOSX_DEPLOYMENT_TARGET '$MACOS_MIN' is not like 13.0"
[[ "$DK_MIN" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "DRIVERKIT_DEPLOYMENT_TARGET '$DK_MIN' is not like 22.0"
[[ "$MARKETING_VERSION" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "MARKETING_VERSION '$MARKETING_VERSION' is not like 1.2.3"
[[ "$CURRENT_PROJECT_VERSION" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "CURRENT_PROJECT_VERSION '$CURRENT_PROJECT_VERSION' is not like 1 or 1.2"

XCODE_SDKS=/Applications/Xcode.app/Contents/Developer/Platforms
if [ "$DRY_RUN" = 1 ]; then
  DK_SDK=${DRIVERKIT_SDK:-$XCODE_SDKS/DriverKit.platform/Developer/SDKs/DriverKit.sdk}
  MACOS_SDK=${MACOS_SDK:-$XCODE_SDKS/MacOSX.platform/Developer/SDKs/MacOSX.sdk}
else
  command -v xcrun >/dev/null 2>&1 || die "xcrun not found: building the dext needs macOS with Xcode 15+ (--dry-run prints the plan anywhere)"
  DK_SDK=${DRIVERKIT_SDK:-$(xcrun --sdk driverkit --show-sdk-path)} || die "no DriverKit SDK (xcrun --sdk driverkit)"
  MACOS_SDK=${MACOS_SDK:-$(xcrun --sdk macosx --show-sdk-path)}
fi

BUILD=build
OBJ=$BUILD/obj
DEXT=$BUILD/$BUNDLE_ID.dext
EXE=$BUNDLE_ID
APP_NAME=SbcDextHost
APP_DIR=$BUILD/$APP_NAME.app

# A word as the shell reads it back: bare when safe, else single-quoted.
quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then printf '%s' "$1"
  else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
show() { local out=() a; for a in "$@"; do out+=("$(quote "$a")"); done; echo "${out[*]}"; }
# run CMD...: print it, run it unless --dry-run.
run() { show "$@"; [ "$DRY_RUN" = 1 ] || "$@"; }
# run_to FILE CMD...: the same, standard output into FILE.
run_to() { local file=$1; shift; echo "$(show "$@") > $(quote "$file")"; [ "$DRY_RUN" = 1 ] || "$@" >"$file"; }
step() { echo "# $*"; }

# substitute_plist SRC DST NAME=VALUE...: replace Xcode's $(NAME) build settings (sed; the
# values are checked above to hold no '/', '&' or newline).
substitute_plist() {
  local src=$1 dst=$2 args=() pair
  shift 2
  for pair in "$@"; do args+=(-e "s/\\\$(${pair%%=*})/${pair#*=}/g"); done
  run_to "$dst" sed "${args[@]}" "$src"
  # Re-serialized, the file loses the source's XML comments (which mention $(...) in prose);
  # anything still unsubstituted would reach the kernel as literal text.
  run plutil -convert xml1 "$dst"
  if [ "$DRY_RUN" != 1 ] && grep -nF -e "\$(" "$dst" >&2; then
    die "$dst still has \$(...) build settings (above) that build-dext.sh does not set"
  fi
}

PLIST_BUDDY=/usr/libexec/PlistBuddy
# A development identity signs without a secure timestamp (no network); any other (Developer
# ID) gets one, which notarization requires (docs/driverkit.md §Bundle and signing).
case "$IDENTITY" in "Apple Development"*|-) TIMESTAMP=--timestamp=none ;; *) TIMESTAMP=--timestamp ;; esac
echo "# build-dext.sh: $BUNDLE_ID for ${ARCH_LIST[*]} (DriverKit $DK_MIN+), team $TEAM_ID, identity '$IDENTITY'"
[ -n "$PROFILE" ] || echo "# note: no --profile: the dext is signed without embedded.provisionprofile; outside SIP-off development it will not launch (docs/mac-bring-up.md §Signing)"

step "1. lint the dext's Info.plist and entitlements (strict: warnings fail too)"
run cargo run --quiet --release -- lint --strict Info.plist entitlements.plist --iig iig

step "2. the Rust core for DriverKit, one archive per architecture, then one universal archive"
run mkdir -p "$OBJ"
archives=()
for arch in "${ARCH_LIST[@]}"; do
  run env "DRIVERKIT_DEPLOYMENT_TARGET=$DK_MIN" scripts/driverkit-target.sh build "$arch"
  run env "DRIVERKIT_DEPLOYMENT_TARGET=$DK_MIN" scripts/driverkit-target.sh check \
    "target/driverkit/$arch-apple-driverkit/release/libsbc_core_static.a" "$arch"
  archives+=("target/driverkit/$arch-apple-driverkit/release/libsbc_core_static.a")
done
run xcrun lipo -create "${archives[@]}" -output "$OBJ/libsbc_core_static.a"

step "3. iig: the class's header and dispatch glue from iig/SbcDext.iig"
run mkdir -p "$OBJ/iig"
run xcrun --sdk driverkit iig --def iig/SbcDext.iig --header "$OBJ/iig/SbcDext.h" \
  --impl "$OBJ/iig/SbcDext.iig.cpp" -- -isysroot "$DK_SDK" -x c++ -std=gnu++20 -D__IIG=1

step "4. compile and link per architecture, then one universal executable"
sources=(dext/SbcDext.cpp dext/SbcReport.cpp "$OBJ/iig/SbcDext.iig.cpp")
executables=()
for arch in "${ARCH_LIST[@]}"; do
  target="$arch-apple-driverkit$DK_MIN"
  run mkdir -p "$OBJ/$arch"
  objects=()
  for src in "${sources[@]}"; do
    obj="$OBJ/$arch/$(basename "$src" .cpp).o"
    run xcrun --sdk driverkit clang++ -target "$target" -isysroot "$DK_SDK" -std=gnu++20 \
      -fno-exceptions -fno-rtti -O2 -g -Wall -Wextra -Werror -Icore/include -Idext -I"$OBJ/iig" \
      -c "$src" -o "$obj"
    objects+=("$obj")
  done
  run xcrun --sdk driverkit clang++ -target "$target" -isysroot "$DK_SDK" \
    "${objects[@]}" "$OBJ/libsbc_core_static.a" \
    -framework DriverKit -framework SCSIPeripheralsDriverKit -Wl,-dead_strip \
    -o "$OBJ/$arch/$EXE"
  executables+=("$OBJ/$arch/$EXE")
done

step "5. the bundle: $DEXT (flat, like every DriverKit bundle: Info.plist and the executable at its top)"
run rm -rf "$DEXT"
run mkdir -p "$DEXT"
run xcrun lipo -create "${executables[@]}" -output "$DEXT/$EXE"
substitute_plist Info.plist "$DEXT/Info.plist" "PRODUCT_BUNDLE_IDENTIFIER=$BUNDLE_ID" \
  "EXECUTABLE_NAME=$EXE" "PRODUCT_NAME=$BUNDLE_ID" "MARKETING_VERSION=$MARKETING_VERSION" \
  "CURRENT_PROJECT_VERSION=$CURRENT_PROJECT_VERSION"
# What Xcode's build adds to a dext's Info.plist (docs/driverkit.md §Bundle and signing).
run "$PLIST_BUDDY" -c "Add :OSMinimumDriverKitVersion string $DK_MIN" "$DEXT/Info.plist"
run "$PLIST_BUDDY" -c "Add :CFBundleSupportedPlatforms array" \
  -c "Add :CFBundleSupportedPlatforms:0 string DriverKit" "$DEXT/Info.plist"
run cargo run --quiet --release -- lint --strict "$DEXT/Info.plist" entitlements.plist --iig iig
if [ -n "$PROFILE" ]; then
  run cp "$PROFILE" "$DEXT/embedded.provisionprofile"
  run_to "$OBJ/dext-profile.plist" security cms -D -i "$PROFILE"
  if [ "$DRY_RUN" != 1 ]; then
    profile_team=$("$PLIST_BUDDY" -c "Print :TeamIdentifier:0" "$OBJ/dext-profile.plist")
    [ "$profile_team" = "$TEAM_ID" ] || die "--profile is team $profile_team's, not $TEAM_ID's"
  fi
fi

step "6. sign: entitlements.plist plus the team's identifiers, hardened runtime"
run cp entitlements.plist "$OBJ/dext.entitlements"
run "$PLIST_BUDDY" -c "Add :com.apple.application-identifier string $TEAM_ID.$BUNDLE_ID" \
  -c "Add :com.apple.developer.team-identifier string $TEAM_ID" "$OBJ/dext.entitlements"
run codesign --force --sign "$IDENTITY" --entitlements "$OBJ/dext.entitlements" \
  --options runtime "$TIMESTAMP" "$DEXT"
run codesign --verify --strict --verbose=2 "$DEXT"
run codesign --display --entitlements - "$DEXT"

if [ "$APP" = 1 ]; then
  step "7. the host app: $APP_DIR with the dext at Contents/Library/SystemExtensions/$BUNDLE_ID.dext"
  run rm -rf "$APP_DIR"
  run mkdir -p "$APP_DIR/Contents/MacOS" "$APP_DIR/Contents/Library/SystemExtensions"
  app_executables=()
  app_sources=(host-app/Sources/SbcDextHostApp.swift host-app/Sources/ExtensionManager.swift)
  for arch in "${ARCH_LIST[@]}"; do
    app_arch=$arch; [ "$arch" = arm64e ] && app_arch=arm64   # the app is an ordinary arm64 process
    run mkdir -p "$OBJ/app-$app_arch"
    run xcrun --sdk macosx swiftc -O -parse-as-library -target "$app_arch-apple-macos$MACOS_MIN" \
      -sdk "$MACOS_SDK" "${app_sources[@]}" -o "$OBJ/app-$app_arch/$APP_NAME"
    app_executables+=("$OBJ/app-$app_arch/$APP_NAME")
  done
  mapfile -t app_executables < <(printf '%s\n' "${app_executables[@]}" | awk '!seen[$0]++')
  run xcrun lipo -create "${app_executables[@]}" -output "$APP_DIR/Contents/MacOS/$APP_NAME"
  substitute_plist host-app/Info.plist "$APP_DIR/Contents/Info.plist" \
    "PRODUCT_BUNDLE_IDENTIFIER=$APP_BUNDLE_ID" "EXECUTABLE_NAME=$APP_NAME" "PRODUCT_NAME=$APP_NAME" \
    "MARKETING_VERSION=$MARKETING_VERSION" "CURRENT_PROJECT_VERSION=$CURRENT_PROJECT_VERSION" \
    "SBC_DEXT_BUNDLE_IDENTIFIER=$BUNDLE_ID" "MACOSX_DEPLOYMENT_TARGET=$MACOS_MIN"
  run ditto "$DEXT" "$APP_DIR/Contents/Library/SystemExtensions/$BUNDLE_ID.dext"
  [ -z "$APP_PROFILE" ] || run cp "$APP_PROFILE" "$APP_DIR/Contents/embedded.provisionprofile"
  run cp host-app/SbcDextHost.entitlements "$OBJ/app.entitlements"
  run "$PLIST_BUDDY" -c "Add :com.apple.application-identifier string $TEAM_ID.$APP_BUNDLE_ID" \
    -c "Add :com.apple.developer.team-identifier string $TEAM_ID" "$OBJ/app.entitlements"
  run codesign --force --sign "$IDENTITY" --entitlements "$OBJ/app.entitlements" \
    --options runtime "$TIMESTAMP" "$APP_DIR"
  run codesign --verify --strict --deep --verbose=2 "$APP_DIR"
  echo "# install: copy $APP_DIR to /Applications, open it, press Activate (docs/mac-bring-up.md)"
fi
echo "# done: $DEXT$([ "$APP" = 1 ] && echo " and $APP_DIR")"
