// Type declarations for wasmq's JS API (index.mjs in browsers and bundlers, node.mjs in Node).

export type DType = 'int8' | 'uint8' | 'int16' | 'int4' | 'uint4' | 'float16' | 'bfloat16';
export type Scheme = 'affine' | 'symmetric' | 'log2' | 'kmeans';
export type Granularity = 'tensor' | 'channel' | 'block';
export type Calibration = 'minmax' | 'moving-average' | 'percentile' | 'mse' | 'entropy';
export type Rounding = 'nearest' | 'stochastic';

export interface InitOptions {
  /** Use the SIMD build (default: feature detection). */
  simd?: boolean;
  /** Where the .wasm files are served: a URL prefix, or a map from file name to URL. */
  wasmPaths?: string | { 'wasmq-simd.wasm'?: string; 'wasmq-scalar.wasm'?: string };
  /** The .wasm bytes of the chosen build. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface ObserverOptions {
  /** Histogram bins for percentile, mse and entropy (even, default 2048). */
  bins?: number;
  /** Share of values (in %) kept inside the range by 'percentile' (default 99.99). */
  percentile?: number;
  /** Weight of each new batch for 'moving-average' (default 0.01). */
  averagingConstant?: number;
}

export interface QuantizeOptions extends ObserverOptions {
  /** Default [data.length]. */
  shape?: number[];
  /** Default 'int8'. */
  dtype?: DType;
  /** Default 'affine'. */
  scheme?: Scheme;
  /** Default 'tensor'. */
  granularity?: Granularity;
  /** Channel or block axis, negative counts from the end (default 0). */
  axis?: number;
  /** Elements per block along axis, for granularity 'block'. */
  blockSize?: number;
  /** How each group's range is chosen (default 'minmax'). */
  calibration?: Calibration;
  /** Default 'nearest' (half to even). 'stochastic' applies to affine and symmetric. */
  rounding?: Rounding;
  /** Seed for stochastic rounding and k-means++ (default 0). */
  seed?: number;
  /** Lloyd iterations for 'kmeans' (default 30). */
  iterations?: number;
}

export type QuantizedData = Int8Array | Uint8Array | Int16Array | Uint16Array;

export interface QuantizedTensor {
  dtype: DType;
  scheme: Scheme;
  granularity: Granularity;
  shape: number[];
  axis: number;
  blockSize: number;
  /** int8: Int8Array; uint8, int4, uint4 (two per byte, first in the low nibble): Uint8Array;
   *  int16: Int16Array; float16/bfloat16: Uint16Array of the bit patterns. */
  data: QuantizedData;
  /** [] per tensor, [C] per channel, the shape with axis -> ceil(C / blockSize) per block. */
  scaleShape: number[];
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** kmeans only: groups x 2^bits centroids, ascending per group. */
  codebook?: Float32Array;
}

export interface Metrics {
  mse: number;
  maxAbsError: number;
  /** 10 log10(sum x^2 / sum (x - y)^2); Infinity when exact. */
  sqnrDb: number;
  cosine: number;
}

export interface QParams {
  scale: number;
  zeroPoint: number;
  /** The clipping range the observer chose. */
  min: number;
  max: number;
}

export declare class Observer {
  readonly kind: Calibration;
  readonly count: number;
  observe(data: Float32Array | number[]): this;
  qparams(target?: { dtype?: DType; scheme?: Scheme }): QParams;
  dispose(): void;
}

import type { Model } from './model.js';
import type { QuantizeModelOptions, QuantizedModel } from './quantize-model.js';
export type { QuantizeModelOptions, QuantizedModel, QuantizeReportRow } from './quantize-model.js';
export type { Model, ModelIO, Feed, ModelOutput, ModelDType, ModelData } from './model.js';

export declare class Wasmq {
  /** true when the SIMD build is running. */
  readonly simd: boolean;
  quantize(data: Float32Array | number[], options?: QuantizeOptions): QuantizedTensor;
  /** Fills `out` (length = element count) when given, else returns a new array. */
  dequantize(q: QuantizedTensor, out?: Float32Array): Float32Array;
  metrics(reference: Float32Array | number[], approx: Float32Array | number[]): Metrics;
  createObserver(kind?: Calibration, options?: ObserverOptions): Observer;
  /** Loads an ONNX model from the bytes of an .onnx file. */
  loadModel(bytes: Uint8Array | ArrayBuffer): Promise<Model>;
  quantizeModel(model: Model | Uint8Array | ArrayBuffer, options: QuantizeModelOptions): Promise<QuantizedModel>;
  /** Op types the runtime can execute. */
  supportedOps(): string[];
}

export declare function init(options?: InitOptions): Promise<Wasmq>;
export declare function simdSupported(): boolean;
export declare const DTYPES: readonly DType[];
export declare const SCHEMES: readonly Scheme[];
export declare const GRANULARITIES: readonly Granularity[];
export declare const CALIBRATIONS: readonly Calibration[];
