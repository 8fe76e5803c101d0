#!/usr/bin/env bash
# Builds everything: native library + tests (g++), the SIMD wasm build (tests, benchmark driver,
# module) and the scalar wasm module, then assembles the npm package in dist/.
# Usage: scripts/build.sh [native] [wasm] [scalar]   (no argument: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # acorn, for Emscripten's JS optimizer
JOBS=${JOBS:-$(nproc)}
NODE_BIN=$(command -v node)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(native wasm scalar)

log() { printf '[build] %s\n' "$*"; }

configure() {  # dir, then cmake arguments
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configure $dir"
    "$@" -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
}

for t in "${targets[@]}"; do
  case $t in
    native)
      configure build/native cmake
      log "native (g++)"
      cmake --build build/native -j "$JOBS"
      ;;
    wasm)
      configure build/wasm-simd emcmake cmake -DWASMQ_SIMD=ON -DCMAKE_CROSSCOMPILING_EMULATOR="$NODE_BIN"
      log "wasm SIMD (em++ -msimd128)"
      cmake --build build/wasm-simd -j "$JOBS"
      ;;
    scalar)
      configure build/wasm-scalar emcmake cmake -DWASMQ_SIMD=OFF -DWASMQ_BUILD_TESTS=OFF \
        -DCMAKE_CROSSCOMPILING_EMULATOR="$NODE_BIN"
      log "wasm scalar"
      cmake --build build/wasm-scalar -j "$JOBS"
      ;;
    *) echo "unknown build target '$t' (native, wasm, scalar)" >&2; exit 2 ;;
  esac
done

# The npm package: two wasm modules (SIMD, scalar) and the hand-written wrapper with its types.
mkdir -p dist
for f in build/wasm-simd/wasmq-simd.mjs build/wasm-simd/wasmq-simd.wasm \
         build/wasm-scalar/wasmq-scalar.mjs build/wasm-scalar/wasmq-scalar.wasm; do
  [ -f "$f" ] && cp -p "$f" dist/
done
cp -p bindings/js/index.mjs bindings/js/node.mjs bindings/js/index.d.ts bindings/js/model.mjs bindings/js/model.d.ts bindings/js/quantize-model.mjs bindings/js/quantize-model.d.ts dist/
log "dist/ ready"
