// Type declarations for bindings/js/quantize-model.mjs (post-training quantization of a model).
import type { Feed, Model, ModelOutput } from './model.js';

export interface QuantizeModelOptions {
  mode?: 'dynamic' | 'static' | 'weight-only';
  weights?: { dtype?: 'int8' | 'int4'; granularity?: 'channel' | 'block'; blockSize?: number };
  /** calibration 'auto' (static): observes once, tries minmax, percentile and mse on the
   * calibration feeds and keeps the one whose outputs are closest to float (QuantizedModel.calibrationTrials). */
  /** int16 'conv-inputs' (static, int8): A16W8 mixed precision: every activation whose consumers
   * are all convolutions (and whose producer is a convolution, Add or Mul), and every conv output
   * read only by a hard-swish, gets symmetric int16 codes, the rest int8; the int16-input kernels
   * run them. Default 'none'. */
  activations?: { dtype?: 'int8' | 'uint8'; calibration?: 'minmax' | 'percentile' | 'mse' | 'entropy' | 'auto'; percentile?: number; bins?: number; int16?: 'none' | 'conv-inputs' };
  calibrationData?: Iterable<Record<string, Feed>> | AsyncIterable<Record<string, Feed>>;
  exclude?: string[];
  onProgress?: (p: { stage: 'calibrate' | 'convert' | 'auto' | 'report'; done: number; total: number | null }) => void;
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
  /** Static: the output's code type ('int16' for the int16 activations of activations.int16); else null. */
  dtype: 'int8' | 'uint8' | 'int16' | null;
}

export declare class QuantizedModel {
  readonly mode: 'dynamic' | 'static' | 'weight-only';
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly loadError: string;
  readonly passes: { constants: number; upgraded: number; bnFolded: number; gemmSplit: number; divToMul: number; affineFolded: number };
  /** Static: the calibration the activation ranges come from (what 'auto' picked); else null. */
  readonly calibration: 'minmax' | 'percentile' | 'mse' | 'entropy' | null;
  /** calibration 'auto': each candidate's output SQNR (dB) on the calibration feeds; else null. */
  readonly calibrationTrials: readonly { calibration: 'minmax' | 'percentile' | 'mse'; outputSqnrDb: number }[] | null;
  /** SQNR (dB) of the model's float outputs against the float model over the calibration feeds; null if none ran. */
  readonly outputSqnrDb: number | null;
  run(feeds: Record<string, Feed>): Promise<Record<string, ModelOutput>>;
  report(): QuantizeReportRow[];
  toOnnx(options?: { form?: 'qdq' | 'qoperator' | 'report' }): Uint8Array;
  dispose(): void;
}

export declare function quantizeModel(mod: unknown, model: Model | Uint8Array | ArrayBuffer, options?: QuantizeModelOptions): Promise<QuantizedModel>;
