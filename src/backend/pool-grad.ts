import * as tf from '@tensorflow/tfjs';

/**
 * Pooling gradients as direct loops over the windows, shared by the AvgPoolGrad fix (cpu, wasm) and
 * the wasm MaxPoolGrad replacement. Geometry comes from tfjs's own computePool2DInfo, so padding,
 * strides and dimRoundingMode mean exactly what they meant in the forward pass.
 */

type Info = tf.TensorInfo;

/** Attrs tfjs-core passes to MaxPoolGrad / AvgPoolGrad (AvgPoolGrad gets no dimRoundingMode). */
export interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The forward pool's geometry. Its output size is taken from dy: tfjs-core's pool gradients do not
 * pass dimRoundingMode on, so with a numeric pad and 'ceil' rounding the attrs alone would give one
 * output row or column too few (the padding before, which places the windows, does not depend on it).
 */
export function poolInfo(xShape: number[], dyShape: number[], attrs: PoolGradAttrs): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode,
  );
  return { ...info, outHeight: dyShape[1], outWidth: dyShape[2], outShape: [info.batchSize, dyShape[1], dyShape[2], info.outChannels] };
}

/**
 * The in-bounds part [start, end) of every output position's window along one axis, as two arrays
 * computed once per call (the loops below would otherwise recompute them per window).
 */
function spans(outSize: number, stride: number, padBefore: number, k: number, size: number): { from: Int32Array; to: Int32Array } {
  const from = new Int32Array(outSize);
  const to = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const first = o * stride - padBefore;
    from[o] = Math.max(0, first);
    to[o] = Math.min(size, first + k);
  }
  return { from, to };
}

function rowAndColSpans(c: tf.backend_util.Conv2DInfo) {
  return {
    rows: spans(c.outHeight, c.strideHeight, c.padInfo.top, c.effectiveFilterHeight, c.inHeight),
    cols: spans(c.outWidth, c.strideWidth, c.padInfo.left, c.effectiveFilterWidth, c.inWidth),
  };
}

/**
 * Average pooling gradient: each output's dy is shared among the in-bounds elements of its window
 * only, the count the forward pass divided by (PyTorch count_include_pad=False; DARTS avg_pool_3x3).
 */
export function avgPoolGradInto(c: tf.backend_util.Conv2DInfo, dy: ArrayLike<number>, dx: Float32Array): void {
  const C = c.inChannels;
  const { rows, cols } = rowAndColSpans(c);
  const share = new Float64Array(C);
  dx.fill(0);
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      const r0 = rows.from[oh];
      const r1 = rows.to[oh];
      for (let ow = 0; ow < c.outWidth; ow++) {
        const c0 = cols.from[ow];
        const c1 = cols.to[ow];
        const count = (r1 - r0) * (c1 - c0);
        if (count <= 0) continue; // a window wholly in the padding: its output is NaN and takes no part
        const dyBase = ((b * c.outHeight + oh) * c.outWidth + ow) * C;
        for (let ch = 0; ch < C; ch++) share[ch] = dy[dyBase + ch] / count;
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const dxBase = ((b * c.inHeight + r) * c.inWidth + col) * C;
            for (let ch = 0; ch < C; ch++) dx[dxBase + ch] += share[ch];
          }
        }
      }
    }
  }
}

/**
 * Max pooling gradient: dy goes to the first maximum of each window in row-major order, as on cpu.
 * Channels are the innermost loop (contiguous in NHWC), with a running maximum per channel.
 */
export function maxPoolGradInto(c: tf.backend_util.Conv2DInfo, x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array): void {
  const C = c.inChannels;
  const { rows, cols } = rowAndColSpans(c);
  const best = new Float64Array(C);
  const at = new Int32Array(C);
  dx.fill(0);
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      const r0 = rows.from[oh];
      const r1 = rows.to[oh];
      for (let ow = 0; ow < c.outWidth; ow++) {
        const c0 = cols.from[ow];
        const c1 = cols.to[ow];
        for (let ch = 0; ch < C; ch++) {
          best[ch] = -Infinity;
          at[ch] = -1;
        }
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const base = ((b * c.inHeight + r) * c.inWidth + col) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * c.outHeight + oh) * c.outWidth + ow) * C;
        for (let ch = 0; ch < C; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[dyBase + ch];
      }
    }
  }
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): ArrayLike<number>;
}
interface CpuLike {
  readSync(dataId: tf.DataId): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
}

/**
 * Runs a loop kernel on the backend's own memory: wasm heap views (the output is allocated first,
 * since growing the heap would detach earlier views) or the cpu backend's arrays.
 */
export function loopKernel(
  backend: tf.KernelBackend,
  inputs: Info[],
  outShape: number[],
  compute: (ins: ArrayLike<number>[], out: Float32Array) => void,
): Info {
  if (typeof (backend as unknown as WasmLike).typedArrayFromHeap === 'function') {
    const wasm = backend as unknown as WasmLike;
    const out = wasm.makeOutput(outShape, 'float32');
    compute(inputs.map((i) => wasm.typedArrayFromHeap(i)), wasm.typedArrayFromHeap(out) as Float32Array);
    return out;
  }
  const cpu = backend as unknown as CpuLike;
  const values = new Float32Array(tf.util.sizeFromShape(outShape));
  compute(inputs.map((i) => cpu.readSync(i.dataId)), values);
  return cpu.makeTensorInfo(outShape, 'float32', values);
}
