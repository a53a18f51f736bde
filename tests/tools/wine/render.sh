#!/usr/bin/env bash
# The Windows exe under wine renders the bundled example to the same bytes as a Linux binary.
#
#   tests/tools/wine/render.sh NIANBAO.EXE LINUX_NIANBAO
#
# Needs wine and gcc-mingw-w64-x86-64 (for the test-only bcryptprimitives.dll stand-in, see
# bcryptprimitives.c). Prints the outputs' checksums and exits 1 on any difference.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
exe=$(realpath "$1")
linux=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/win" "$work/linux"
cp "$exe" "$work/win/nianbao.exe"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/win/bcryptprimitives.dll" "$here/bcryptprimitives.c" -ladvapi32
for d in win linux; do
  cp "$repo/examples/shengsi-2024.yaml" "$repo/examples/demo-seal.png" "$work/$d/"
done
export WINEPREFIX=${WINEPREFIX:-$work/prefix} WINEDEBUG=-all
(cd "$work/win" && wine nianbao.exe --version && wine nianbao.exe render --no-system-fonts --format pdf,docx,html,ofd shengsi-2024.yaml)
(cd "$work/linux" && "$linux" render --no-system-fonts --format pdf,docx,html,ofd shengsi-2024.yaml)
status=0
for ext in pdf docx html ofd; do
  a=$(sha256sum <"$work/win/shengsi-2024.$ext" | cut -c1-16)
  b=$(sha256sum <"$work/linux/shengsi-2024.$ext" | cut -c1-16)
  if [ "$a" = "$b" ]; then echo "$ext: same bytes ($a)"; else echo "$ext: DIFFERENT (windows $a, linux $b)"; status=1; fi
done
exit $status
