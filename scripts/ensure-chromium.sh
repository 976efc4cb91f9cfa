#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing: scripts/test/browser.test.ts runs the packages in
# a real headless browser (driven by playwright-core, which downloads nothing). Runs as the root
# package's postinstall, so the README's install command sets up everything the tests need.
# Never fails the install: without root or apt it prints what to run and the browser test will
# fail later with the same instructions.
set -u
[ -x /usr/bin/chromium ] && exit 0
[ "${VEGO_SKIP_CHROMIUM:-}" = "1" ] && { echo "ensure-chromium: skipped (VEGO_SKIP_CHROMIUM=1)"; exit 0; }
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; install Chromium at /usr/bin/chromium for the browser test"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "ensure-chromium: not root; run: sudo apt-get install -y chromium (needed by the browser test)"
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the browser test (about 30 s)"
$SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
  && echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null)" \
  || echo "ensure-chromium: apt-get failed; the browser test will fail until Chromium is installed"
exit 0
