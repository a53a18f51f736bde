#!/usr/bin/env bash
# Builds what people download, from a clean checkout, into dist/:
#
#   nianbao-VERSION-x86_64-linux-musl          the static Linux binary (runs on any glibc)
#   nianbao-VERSION-x86_64-linux-musl.tar.gz   it, with man pages, completions and licences
#   nianbao_VERSION-1_amd64.deb                the .deb (cargo-deb): binary, man pages,
#                                              completions, systemd unit, /etc/default/nianbao
#   nianbao-VERSION-x86_64-windows.zip         nianbao.exe (icon, version info), 年报.bat,
#                                              使用说明, licences
#   SHA256SUMS
#
#   ./release.sh                  all of it (two release builds of ~10 minutes each, one at a time)
#   ./release.sh --no-windows     Linux only
#   ./release.sh --deb-from BIN   only the .deb, around an already built binary BIN (the test in
#                                 tests/dist.rs packs the debug binary this way: no release build)
#
# Needs: rustup targets x86_64-unknown-linux-musl and x86_64-pc-windows-gnu, Debian's
# musl-tools, gcc-mingw-w64-x86-64 and zip, and cargo-deb (cargo install cargo-deb). The
# binaries use the `dist` profile (Cargo.toml): fat LTO, one codegen unit, stripped, and the
# `compressed-fonts` feature (the bundled fonts deflated: 7 MB less).
set -euo pipefail
cd "$(dirname "$0")"

windows=1
deb_from=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-windows) windows=0 ;;
    --deb-from) deb_from=$(realpath "$2"); shift ;;
    *) echo "release.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
  shift
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)
export NIANBAO_COMMIT="$commit $(git show -s --format=%cs HEAD 2>/dev/null || true)"
target_dir=${CARGO_TARGET_DIR:-target}
out=dist
gen=$out/gen
musl=x86_64-unknown-linux-musl
win=x86_64-pc-windows-gnu

need() { command -v "$1" >/dev/null 2>&1 || { echo "release.sh: $1 is missing ($2)" >&2; exit 1; }; }
need cargo-deb "cargo install cargo-deb"
if [ -z "$deb_from" ]; then
  need musl-gcc "apt-get install musl-tools; rustup target add $musl"
  if [ "$windows" = 1 ]; then
    need x86_64-w64-mingw32-gcc "apt-get install gcc-mingw-w64-x86-64; rustup target add $win"
    need zip "apt-get install zip"
  fi
fi

mkdir -p "$out"
timed() { local t0=$SECONDS; "$@"; echo "release.sh: $((SECONDS - t0)) s: $*" >&2; }

# The man pages and completions, made by the binary itself from its clap definition.
generate() {
  local bin=$1
  rm -rf "$gen"
  mkdir -p "$gen/man" "$gen/completions"
  "$bin" --generate man --out-dir "$gen/man"
  gzip -9n "$gen"/man/*.1
  "$bin" --generate bash >"$gen/completions/nianbao.bash"
  "$bin" --generate zsh >"$gen/completions/_nianbao"
  "$bin" --generate fish >"$gen/completions/nianbao.fish"
  "$bin" --generate powershell >"$gen/completions/_nianbao.ps1"
  cp "$bin" "$gen/nianbao"
}

# The .deb around BIN (staged as dist/gen/nianbao, the asset Cargo.toml names). A debug binary
# (--deb-from) is stripped of its debug info first and packed with the fast compression: xz of
# its 170 MB took the test minutes.
deb() {
  local bin=$1 fast=()
  generate "$bin"
  if [ -n "$deb_from" ]; then
    strip --strip-debug "$gen/nianbao"
    fast=(--fast)
  fi
  cargo deb --no-build --no-strip "${fast[@]}" --deb-version "$version-1" -o "$out/" >/dev/null
}

if [ -n "$deb_from" ]; then
  deb "$deb_from"
  ls "$out"/nianbao_"$version"-1_amd64.deb
  exit 0
fi

# Linux: static (musl), so it runs on old glibc systems (统信UOS, 麒麟: glibc 2.28–2.31).
timed nice -n 10 cargo build --locked --profile dist --features compressed-fonts --target "$musl" --bin nianbao
linux_bin=$target_dir/$musl/dist/nianbao
if readelf -d "$linux_bin" 2>/dev/null | grep -q NEEDED || readelf -l "$linux_bin" | grep -q INTERP; then
  echo "release.sh: $linux_bin is not static" >&2
  exit 1
fi
cp "$linux_bin" "$out/nianbao-$version-x86_64-linux-musl"
deb "$linux_bin"

stage=$out/nianbao-$version-x86_64-linux-musl.d
rm -rf "$stage"
mkdir -p "$stage/fonts"
cp "$linux_bin" README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE docs/使用说明.md "$stage/"
cp fonts/README.md fonts/COPYING fonts/DejaVu-LICENSE.txt "$stage/fonts/"
cp -r "$gen/man" "$gen/completions" "$stage/"
tar -C "$out" --transform "s|^nianbao-$version-x86_64-linux-musl.d|nianbao-$version|" \
  -czf "$out/nianbao-$version-x86_64-linux-musl.tar.gz" "$(basename "$stage")"
rm -rf "$stage"

# Windows: cross-built with MinGW-w64; icon and version information from build.rs.
if [ "$windows" = 1 ]; then
  timed nice -n 10 cargo build --locked --profile dist --features compressed-fonts --target "$win" --bin nianbao
  stage=$out/nianbao-$version-windows
  rm -rf "$stage"
  mkdir -p "$stage/fonts"
  cp "$target_dir/$win/dist/nianbao.exe" packaging/windows/年报.bat "$stage/"
  cp docs/使用说明.md "$stage/使用说明.md"
  for f in README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE; do
    # Notepad on older Windows wants CRLF.
    sed 's/$/\r/' "$f" >"$stage/$f.txt"
  done
  cp fonts/README.md fonts/COPYING fonts/DejaVu-LICENSE.txt "$stage/fonts/"
  rm -f "$out/nianbao-$version-x86_64-windows.zip"
  (cd "$out" && zip -qr9 "nianbao-$version-x86_64-windows.zip" "nianbao-$version-windows")
  rm -rf "$stage"
fi

rm -rf "$gen"
(cd "$out" && sha256sum nianbao* >SHA256SUMS)
ls -l "$out"
