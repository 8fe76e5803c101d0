#!/usr/bin/env bash
# Runs the test suites (after scripts/build.sh): native Catch2, wasm Catch2 under Node, the JS
# API with node --test, and the page in headless Chromium.
# Usage: scripts/test.sh [native] [wasm] [js] [browser]   (no argument: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(native wasm js browser)
for s in "${suites[@]}"; do
  printf '\n[test] ===== %s =====\n' "$s"
  case $s in
    native) ctest --test-dir build/native --output-on-failure ;;
    wasm) ctest --test-dir build/wasm-simd --output-on-failure ;;
    js) node --test --test-reporter=spec tests/js/ ;;
    browser) node --test --test-reporter=spec tests/browser/ ;;
    *) echo "unknown suite '$s' (native, wasm, js, browser)" >&2; exit 2 ;;
  esac
done
