// onnxruntime-web (wasm, single thread by default) latency of one model, and with --size the
// gzipped download a page needs: `node bench/peers/ort-web.mjs <model.onnx|fixture id> [--runs N]`.
import { main } from './common.mjs';

await main('web');
