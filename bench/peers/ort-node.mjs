// onnxruntime-node (native CPU, intraOpNumThreads 1 by default) latency of one model:
// `node bench/peers/ort-node.mjs <model.onnx|fixture id> [--runs N]`. Same output as ort-web.mjs.
import { main } from './common.mjs';

await main('node');
