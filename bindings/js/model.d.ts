// Type declarations for bindings/js/model.mjs (the ONNX model runtime's JS side).

export type ModelDType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';

export type ModelData = Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array;

export interface ModelIO {
  name: string;
  dtype: ModelDType | 'unknown';
  /** null entries are dynamic dimensions; dims itself is null when the model gives no shape. */
  dims: (number | null)[] | null;
}

export interface Feed {
  data: ModelData;
  dims: number[];
}

export interface ModelOutput {
  data: ModelData;
  dims: number[];
  dtype: ModelDType;
}

export declare class Model {
  readonly inputs: readonly ModelIO[];
  readonly outputs: readonly ModelIO[];
  /** Bytes of the planned activation arena. */
  readonly arenaBytes: number;
  run(feeds: Record<string, Feed>): Promise<Record<string, ModelOutput>>;
  runSync(feeds: Record<string, Feed>): Record<string, ModelOutput>;
  /** Turns per-node timing on (clearing the totals) or off. */
  setProfiling(on: boolean): void;
  /** Per executed node, in run order: totals since setProfiling(true). */
  profile(): { node: string; opType: string; ms: number; runs: number }[];
  /** Frees the model's wasm memory. Safe to call twice. */
  dispose(): void;
}

/** `mod` is the initialized Embind module (Wasmq's `_m`). */
export declare function loadModel(mod: unknown, bytes: Uint8Array | ArrayBuffer): Promise<Model>;
export declare function decodeTensorProto(mod: unknown, bytes: Uint8Array | ArrayBuffer): {
  name: string; dtype: ModelDType; dims: number[]; data: ModelData;
};
export declare function modelOpTypes(mod: unknown, bytes: Uint8Array | ArrayBuffer): { domain: string; opType: string }[];
export declare function supportedOps(mod: unknown): string[];
