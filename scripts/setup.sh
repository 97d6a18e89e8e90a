#!/usr/bin/env bash
# Set up gzdesk on a fresh machine: system libraries (Debian/Ubuntu, when run as root), then a
# virtual environment in .venv with the program installed. With --test, also the test tools.
#   scripts/setup.sh          → then .venv/bin/gzdesk opens the window
#   scripts/setup.sh --test   → then .venv/bin/python -m pytest runs the tests
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# Qt's xcb platform needs these for a real window; CJK fonts for the screen and for PDF forms.
pkgs=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
      libxcb-xinerama0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
      fonts-arphic-uming fonts-wqy-microhei)
if [ "$mode" = "--test" ]; then
  # pdftotext/pdffonts/pdftoppm and LibreOffice read back what the program writes.
  pkgs+=(poppler-utils xvfb libreoffice-calc-nogui)
fi
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "安装系统组件：${missing[*]}"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$mode" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
