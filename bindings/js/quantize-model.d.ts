// Type declarations for bindings/js/quantize-model.mjs (post-training quantization of a model).
import type { Feed, Model, ModelOutput } from './model.js';

export interface QuantizeModelOptions {
  mode?: 'dynamic' | 'static' | 'weight-only';
  weights?: { dtype?: 'int8' | 'int4'; granularity?: 'channel' | 'block'; blockSize?: number };
  activations?: { dtype?: 'int8' | 'uint8'; calibration?: 'minmax' | 'percentile' | 'mse' | 'entropy'; percentile?: number; bins?: number };
  calibrationData?: Iterable<Record<string, Feed>> | AsyncIterable<Record<string, Feed>>;
  exclude?: string[];
  onProgress?: (p: { stage: 'calibrate' | 'convert' | 'report'; done: number; total: number | null }) => void;
}

export interface QuantizeReportRow {
  node: string;
  op: string;
  qop: string;
  output: string;
  outputSqnrDb: number | null;
  weightSqnrDb: number | null;
  scale: number | null;
  zeroPoint: number | null;
}

export declare class QuantizedModel {
  readonly mode: 'dynamic' | 'static' | 'weight-only';
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly loadError: string;
  readonly passes: { constants: number; upgraded: number; bnFolded: number; gemmSplit: number; divToMul: number; affineFolded: number };
  run(feeds: Record<string, Feed>): Promise<Record<string, ModelOutput>>;
  report(): QuantizeReportRow[];
  toOnnx(options?: { form?: 'qdq' | 'qoperator' | 'report' }): Uint8Array;
  dispose(): void;
}

export declare function quantizeModel(mod: unknown, model: Model | Uint8Array | ArrayBuffer, options?: QuantizeModelOptions): Promise<QuantizedModel>;
