#!/usr/bin/env bash
# Idempotent set-up for a Debian 12 machine (as root): installs the Debian packages and npm
# dependencies wasmq needs, and nothing when all is present (a few hundred milliseconds).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v em++ >/dev/null 2>&1 || missing+=(emscripten)
[ -f /usr/include/catch2/catch.hpp ] || missing+=(catch2)
[ -f /usr/include/simde/wasm/simd128.h ] || missing+=(libsimde-dev)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
[ -d /usr/share/libonnx-testdata/data/node ] || missing+=(libonnx-testdata)  # ONNX conformance (runtime)
# Fonts for the rendered text-line images (tests/fixtures/text-lines.mjs); Chromium pulls them in too.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root, or: apt-get install -y ${missing[*]})"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  # onnxruntime-node's postinstall downloads CUDA libraries (no network here); its CPU build is bundled.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
else
  log "node_modules up to date"
fi

# Real text-line images for the OCR models (English text from /usr/share/common-licenses in
# Debian's fonts, rendered by headless Chromium once; quick when present).
node scripts/render-text-lines.mjs
