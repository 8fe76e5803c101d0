#!/usr/bin/env bash
# Fuzzes the ONNX loader + planner + executor natively with libFuzzer, ASan and UBSan (clang).
# Not part of the normal build or tests. Usage: scripts/fuzz.sh <seconds> [extra libFuzzer args]
# Seeds: libonnx-testdata node models (when installed) and the malformed-model corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
out=build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
# The fast and quantized ops call the kernels: their scalar builds (no SIMD) are linked in.
srcs=(src/onnx/*.cc src/runtime/*.cc src/quant/*.cc src/kernels/*/*.cc)
if [ ! -x "$out/onnx_loader_fuzz" ] || [ -n "$(find src/onnx src/runtime src/kernels fuzz -newer "$out/onnx_loader_fuzz" -name '*.[ch]*' | head -1)" ]; then
  echo "[fuzz] building $out/onnx_loader_fuzz"
  clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Isrc fuzz/onnx_loader_fuzz.cc "${srcs[@]}" -o "$out/onnx_loader_fuzz"
fi
if [ -z "$(ls -A "$out/corpus")" ]; then
  if [ -d /usr/share/libonnx-testdata/data/node ]; then
    for d in /usr/share/libonnx-testdata/data/node/*/; do
      f="$d/model.onnx"
      [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 4096 ] && cp "$f" "$out/corpus/$(basename "$d").onnx"
    done
  fi
  node tests/data/malformed/generate.mjs >/dev/null && cp tests/data/malformed/*.onnx "$out/corpus/"
  node fuzz/int16-seeds.mjs "$out/corpus"  # the int16 (A16W8) ops
fi
echo "[fuzz] running for ${secs}s (corpus: $(ls "$out/corpus" | wc -l) files)"
"$out/onnx_loader_fuzz" "$out/corpus" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
