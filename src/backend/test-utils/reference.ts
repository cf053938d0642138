/**
 * Float64 naive references for convolutions and pooling (forward and gradients), written from the
 * definitions without TensorFlow.js, so that kernels can be checked where the cpu backend cannot
 * serve as reference (its backprop kernels ignore dilation). NHWC throughout.
 */

export type Shape4 = [number, number, number, number];
export interface Arr4 {
  data: Float64Array;
  shape: Shape4;
}

/** One spatial axis: output o reads input o*stride - padBefore + k*dilation (zero when outside). */
export interface AxisGeom {
  stride: number;
  dilation: number;
  padBefore: number;
  outSize: number;
}

export type PadSpec = 'same' | 'valid' | number | [number, number];

/** Geometry of one axis the way TensorFlow defines 'same'/'valid', numbers and explicit pairs. */
export function axisGeom(inSize: number, k: number, stride: number, dilation: number, pad: PadSpec, rounding: 'floor' | 'ceil' = 'floor'): AxisGeom {
  const eff = (k - 1) * dilation + 1;
  if (pad === 'same') {
    const outSize = Math.ceil(inSize / stride);
    const total = Math.max((outSize - 1) * stride + eff - inSize, 0);
    return { stride, dilation, padBefore: Math.floor(total / 2), outSize };
  }
  if (pad === 'valid') return { stride, dilation, padBefore: 0, outSize: Math.ceil((inSize - eff + 1) / stride) };
  const [before, after] = typeof pad === 'number' ? [pad, pad] : pad;
  const round = rounding === 'ceil' ? Math.ceil : Math.floor;
  return { stride, dilation, padBefore: before, outSize: round((inSize + before + after - eff) / stride) + 1 };
}

export function zeros4(shape: Shape4): Arr4 {
  return { data: new Float64Array(shape[0] * shape[1] * shape[2] * shape[3]), shape };
}

function idx(shape: Shape4, a: number, b: number, c: number, d: number): number {
  return ((a * shape[1] + b) * shape[2] + c) * shape[3] + d;
}

/** Calls fn(oh, ow, ih, iw, kh, kw) for every in-bounds tap of a convolution or pool window. */
function forTaps(inH: number, inW: number, kH: number, kW: number, gh: AxisGeom, gw: AxisGeom,
  fn: (oh: number, ow: number, ih: number, iw: number, kh: number, kw: number) => void): void {
  for (let oh = 0; oh < gh.outSize; oh++) {
    for (let ow = 0; ow < gw.outSize; ow++) {
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * gh.stride - gh.padBefore + kh * gh.dilation;
        if (ih < 0 || ih >= inH) continue;
        for (let kw = 0; kw < kW; kw++) {
          const iw = ow * gw.stride - gw.padBefore + kw * gw.dilation;
          if (iw >= 0 && iw < inW) fn(oh, ow, ih, iw, kh, kw);
        }
      }
    }
  }
}

/**
 * Dense (depthwise = false, filter [KH,KW,Ci,Co]) or depthwise (filter [KH,KW,C,M], output channel
 * c*M+m) convolution: forward y, and the gradients dx, df for a given dy.
 */
export function convReference(x: Arr4, f: Arr4, gh: AxisGeom, gw: AxisGeom, depthwise: boolean, dy?: Arr4) {
  const [n, inH, inW, ci] = x.shape;
  const [kH, kW, fIn, fOut] = f.shape;
  const co = depthwise ? fIn * fOut : fOut;
  const y = zeros4([n, gh.outSize, gw.outSize, co]);
  const dx = zeros4(x.shape);
  const df = zeros4(f.shape);
  // Each tap pairs (input channel, filter index, output channel).
  const pairs: [number, number, number][] = [];
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < fOut; o++) pairs.push(depthwise ? [c, c * fOut + o, c * fOut + o] : [c, c * fOut + o, o]);
  }
  for (let b = 0; b < n; b++) {
    forTaps(inH, inW, kH, kW, gh, gw, (oh, ow, ih, iw, kh, kw) => {
      for (const [c, fi, o] of pairs) {
        const xi = idx(x.shape, b, ih, iw, c);
        const fIdx = (kh * kW + kw) * fIn * fOut + fi;
        const yi = idx(y.shape, b, oh, ow, o);
        y.data[yi] += x.data[xi] * f.data[fIdx];
        if (dy) {
          dx.data[xi] += dy.data[yi] * f.data[fIdx];
          df.data[fIdx] += dy.data[yi] * x.data[xi];
        }
      }
    });
  }
  return { y, dx, df };
}

/** Average pool without counting padding (TensorFlow, PyTorch count_include_pad=False) and max pool (first maximum wins). */
export function poolReference(x: Arr4, k: number, gh: AxisGeom, gw: AxisGeom, kind: 'avg' | 'max', dy?: Arr4) {
  const [n, inH, inW, c] = x.shape;
  const y = zeros4([n, gh.outSize, gw.outSize, c]);
  const dx = zeros4(x.shape);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const taps: number[][][] = [];
      forTaps(inH, inW, k, k, gh, gw, (oh, ow, ih, iw) => {
        ((taps[oh] ??= [])[ow] ??= []).push(idx(x.shape, b, ih, iw, ch));
      });
      for (let oh = 0; oh < gh.outSize; oh++) {
        for (let ow = 0; ow < gw.outSize; ow++) {
          const window = taps[oh]?.[ow] ?? [];
          const yi = idx(y.shape, b, oh, ow, ch);
          const g = dy ? dy.data[yi] : 0;
          if (kind === 'avg') {
            y.data[yi] = window.reduce((s, i) => s + x.data[i], 0) / window.length;
            for (const i of window) dx.data[i] += g / window.length;
          } else {
            let at = window[0];
            for (const i of window) if (x.data[i] > x.data[at]) at = i;
            y.data[yi] = x.data[at];
            dx.data[at] += g;
          }
        }
      }
    }
  }
  return { y, dx };
}

/** Deterministic pseudo-random float32 values in [-1, 1) (a small LCG: tests must not depend on tf's RNG). */
export function randomArr4(shape: Shape4, seed: number): Arr4 {
  const a = zeros4(shape);
  let s = seed >>> 0;
  for (let i = 0; i < a.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a.data[i] = Math.fround(s / 2 ** 31 - 1); // exactly representable in float32, as tf sees it
  }
  return a;
}

/** max |actual - expected| / max |expected| (0 when both are all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    mag = Math.max(mag, Math.abs(expected[i]));
  }
  return mag === 0 ? err : err / mag;
}
