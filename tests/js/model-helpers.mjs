// Test helper: initializes the wasm module (dist/node.mjs) and exposes the model API the way the
// wrapper attaches it (loadModel(mod, bytes) from bindings/js/model.mjs on the Embind module).
import { init } from '../../dist/node.mjs';
import { loadModel as loadModelImpl } from '../../bindings/js/model.mjs';

let wqPromise;

export async function wasmq() {
  wqPromise ??= init();
  const wq = await wqPromise;
  return {
    wq,
    mod: wq._m,
    loadModel: (bytes) => (typeof wq.loadModel === 'function' ? wq.loadModel(bytes) : loadModelImpl(wq._m, bytes)),
  };
}
