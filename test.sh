#!/usr/bin/env bash
# The README's test command: sets up everything the tests need, then runs `cargo test`.
#
#   ./test.sh                  set up (only what is missing), then cargo test
#   ./test.sh --test tests pdf::   extra arguments go to cargo test
#   ./test.sh --setup-only     set up and stop
#
# System tools (poppler, qpdf, LibreOffice, …) come from Debian's packages: installed with
# apt-get when this runs as root, otherwise listed, all in one message, before anything runs.
# The Python tools are pinned in tests/requirements.txt and live in a project-local virtual
# environment (.venv), put first on PATH for the tests. A second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")"

setup_only=0
if [ "${1:-}" = "--setup-only" ]; then
  setup_only=1
  shift
fi

# command the tests run → the Debian package that provides it
tools=(
  "pdftotext poppler-utils" "pdffonts poppler-utils" "pdfinfo poppler-utils"
  "pdftoppm poppler-utils" "pdfsig poppler-utils"
  "qpdf qpdf"
  "xmllint libxml2-utils"
  "soffice libreoffice-writer-nogui"
  "/usr/lib/libreoffice/program/libsclo.so libreoffice-calc-nogui"
  "openssl openssl"
  "certutil libnss3-tools"
  "script bsdutils"
  "python3 python3"
  "java default-jre-headless"
  "chromium chromium"
  "chromedriver chromium-driver"
  "npm npm"
  "/usr/bin/time time"
  "setpriv util-linux"
  "dpkg-deb dpkg"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core"
  "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc fonts-noto-cjk"
)

missing_packages() {
  local entry cmd pkg seen=" "
  for entry in "${tools[@]}"; do
    cmd=${entry%% *}
    pkg=${entry#* }
    # A path (a font file) is looked for as a file, a name as a command.
    if [[ $cmd == /* ]]; then present() { [ -e "$1" ]; }; else present() { command -v "$1" >/dev/null 2>&1; }; fi
    if ! present "$cmd" && [[ $seen != *" $pkg "* ]]; then
      seen+="$pkg "
      printf '%s\n' "$pkg"
    fi
  done
  # `python3 -m venv` needs python3-venv on Debian's own python.
  if command -v python3 >/dev/null 2>&1 && [ ! -x .venv/bin/python ] \
    && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    printf '%s\n' python3-venv
  fi
}

mapfile -t need < <(missing_packages)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    mapfile -t need < <(missing_packages)
  fi
fi
# Python tools, pinned, in .venv. The stamp holds the hash of the requirements it was made from.
requirements=tests/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if command -v python3 >/dev/null 2>&1 && [[ " ${need[*]} " != *" python3-venv "* ]] \
  && { [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; }; then
  echo "test.sh: installing the Python test tools into .venv ($requirements)"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/python -m pip install -q -r "$requirements"
  printf '%s\n' "$want" >"$stamp"
fi
# axe-core (the accessibility checker the HTML tests inject into Chromium), pinned, from npm.
axe_version=4.14.1
axe=.venv/node/node_modules/axe-core/axe.min.js
if command -v npm >/dev/null 2>&1 \
  && { [ ! -f "$axe" ] || ! grep -q "axe v$axe_version" "$axe" 2>/dev/null; }; then
  echo "test.sh: installing axe-core $axe_version into .venv/node"
  npm install --silent --no-audit --no-fund --prefix .venv/node "axe-core@$axe_version" >/dev/null
fi
export NIANBAO_AXE="$PWD/$axe"
# cargo-deb (tests/dist.rs packs and installs the .deb with it, as release.sh does), pinned,
# built once into .venv/cargo.
cargo_deb_version=3.8.0
if ! .venv/cargo/bin/cargo-deb --version 2>/dev/null | grep -q "$cargo_deb_version"; then
  echo "test.sh: installing cargo-deb $cargo_deb_version into .venv/cargo"
  cargo install -q --locked --root .venv/cargo --version "$cargo_deb_version" cargo-deb
fi

# What could not be installed here (no root): one list, and nothing runs.
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: the tests need these Debian packages, which are not installed:" >&2
  echo "    sudo apt-get install --no-install-recommends ${need[*]}" >&2
  echo "then run ./test.sh again (nothing was run)." >&2
  exit 1
fi

export PATH="$PWD/.venv/bin:$PWD/.venv/cargo/bin:$PATH"
export VIRTUAL_ENV="$PWD/.venv"

[ "$setup_only" = 1 ] && exit 0
exec cargo test "$@"
