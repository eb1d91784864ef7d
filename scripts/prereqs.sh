#!/usr/bin/env bash
# Installs what building circulate needs beyond the Rust toolchain, when it is missing:
# cmake and a C++ compiler (highs-sys compiles HiGHS from source) and libclang (bindgen
# generates HiGHS's Rust bindings). With --test, also a headless Chromium, in which the test
# suite opens report.html. Debian/Ubuntu via apt-get; elsewhere it says what to install.
set -euo pipefail

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
if ! { ldconfig -p 2>/dev/null | grep -Eq 'libclang(-[0-9.]+)?\.so'; } \
   && [ -z "${LIBCLANG_PATH:-}" ]; then
  missing+=(libclang-dev)
fi
if [ "${1:-}" = "--test" ] && [ -z "${CIRCULATE_CHROMIUM:-}" ] \
   && ! command -v chromium-headless-shell >/dev/null 2>&1 \
   && ! command -v chromium >/dev/null 2>&1 \
   && ! command -v chromium-browser >/dev/null 2>&1 \
   && ! command -v google-chrome >/dev/null 2>&1; then
  missing+=(chromium-headless-shell)
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "prereqs: installing ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "prereqs: please install ${missing[*]} (cmake, a C++ compiler and libclang; for the tests a Chromium or Chrome, or set CIRCULATE_CHROMIUM) with your package manager" >&2
  exit 1
fi
