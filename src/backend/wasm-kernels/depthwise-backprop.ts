import * as tf from '@tensorflow/tfjs';
import { composite, Info, KernelScope, view, slice4 } from './scope';
import { loopKernel } from '../pool-grad';
import { axes, BackpropAttrs, ConvInfo, cropNegative, explicitPad, filterGradPads, forwardInfo, inputGradPads, upsample } from './geometry';

/**
 * DepthwiseConv2dNativeBackpropInput and DepthwiseConv2dNativeBackpropFilter for the wasm backend
 * (missing there), composed from its XNNPACK DepthwiseConv2dNative. The filter is [KH,KW,C,M]
 * (M = channel multiplier); output channel c*M + m reads input channel c.
 */

interface FilterGradAttrs extends BackpropAttrs {
  filterShape: [number, number, number, number];
}
interface InputGradAttrs extends BackpropAttrs {
  inputShape: [number, number, number, number];
}
type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

/**
 * dx[n,h,w,c] = Σ_m (dy upsampled by the stride ⋆ flipped f[:,:,c,m]): a depthwise convolution over
 * the C·M channels of dy with multiplier 1, then a sum over m.
 */
export function depthwiseBackpropInput(args: Args): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as InputGradAttrs;
  const c = forwardInfo(attrs.inputShape, filter.shape, attrs, true);
  const [kh, kw, channels, mult] = filter.shape;
  return composite(args.backend, 'wasm', (s) => {
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const [rowAxis, colAxis] = axes(c);
    const up = upsample(s, dy, c.strideHeight, c.strideWidth);
    const { x, pad } = cropNegative(s, up, inputGradPads(rowAxis), inputGradPads(colAxis));
    const perOutput = s.run('DepthwiseConv2dNative', { x, filter: view(flipped, [kh, kw, channels * mult, 1]) }, {
      strides: [1, 1],
      dilations: [c.dilationHeight, c.dilationWidth],
      pad,
    });
    if (mult === 1) return s.keep(perOutput);
    const [n, h, w] = perOutput.shape;
    const dx = s.run('Sum', { x: view(perOutput, [n, h, w, channels, mult]) }, { axis: [4], keepDims: false });
    return s.keep(dx);
  });
}

/**
 * df[kh,kw,c,m] = Σ_{n,oh,ow} x[n, oh*sH - pt + kh*dH, ow*sW - pl + kw*dW, c] · dy[n,oh,ow,c*M+m].
 * Two exact formulations; `depthwiseBackpropFilter` picks by channel count (see DENSE_MAX_CHANNELS).
 */
export function depthwiseBackpropFilter(args: Args): Info {
  const channels = (args.attrs as unknown as FilterGradAttrs).filterShape[2];
  return channels <= DENSE_MAX_CHANNELS ? filterGradViaDense(args) : filterGradViaDepthwise(args);
}

/**
 * Up to this many channels the dense formulation is faster despite computing C times the needed
 * products (XNNPACK's GEMM against its depthwise kernel with a huge filter). Measured at batch 32,
 * 32×32, k 3/5, dilation 1/2: C = 8 dense 7–13 ms vs depthwise 8–22 ms; C = 16 about equal;
 * C ≥ 32 depthwise 1.5–4x faster.
 */
export const DENSE_MAX_CHANNELS = 8;

/**
 * Batch entries per depthwise convolution in `filterGradViaDepthwise`: at most this many floats of
 * dy (the convolution's filter) per call. XNNPACK packs the whole filter; beyond a few hundred KB
 * it falls out of cache and the call slows down more than linearly. Measured at batch 64, 32×32,
 * C 16 (the DARTS paper configuration's normal cells), k 3/5, dilation 1/2: one call 57–87 ms,
 * chunks of 8 entries 25–49 ms, of 16 37–51 ms.
 */
export const DEPTHWISE_CHUNK_FLOATS = 1 << 17;

/**
 * One depthwise convolution of x as [1,H,W,N·C] with dy as an [OH,OW,N·C,M] filter (stride and
 * dilation swapped), so its outputs are the kernel positions; then a sum over n. Large batches go
 * in chunks of batch entries (see DEPTHWISE_CHUNK_FLOATS) whose results are added.
 */
export function filterGradViaDepthwise(args: Args, chunkFloats = DEPTHWISE_CHUNK_FLOATS): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as FilterGradAttrs;
  const c = forwardInfo(x.shape, attrs.filterShape, attrs, true);
  const perEntry = c.outHeight * c.outWidth * c.outChannels;
  const chunk = Math.max(1, Math.min(c.batchSize, Math.floor(chunkFloats / perEntry)));
  return composite(args.backend, 'wasm', (s) => {
    let total: Info | null = null;
    for (let n0 = 0; n0 < c.batchSize; n0 += chunk) {
      const n = Math.min(chunk, c.batchSize - n0);
      const xs = slice4(s, x, [n0, 0, 0, 0], [n, c.inHeight, c.inWidth, c.inChannels]);
      const dys = slice4(s, dy, [n0, 0, 0, 0], [n, c.outHeight, c.outWidth, c.outChannels]);
      const part = depthwiseFilterGradPart(s, xs, dys, { ...c, batchSize: n }, attrs.filterShape);
      total = total ? s.run('Add', { a: total, b: part }) : part;
    }
    return s.keep(total as Info, attrs.filterShape);
  });
}

/** The filter gradient of one chunk of the batch, as a result of scope `s`. */
function depthwiseFilterGradPart(s: KernelScope, x: Info, dy: Info, c: ConvInfo, filterShape: number[]): Info {
  const [kh, kw, channels, mult] = filterShape;
  const n = c.batchSize;
  const [rowAxis, colAxis] = axes(c);
  const xt = n === 1 ? x : s.run('Transpose', { x }, { perm: [1, 2, 0, 3] });
  const dyt = n === 1 ? dy : s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const g = s.run('DepthwiseConv2dNative', {
    x: view(xt, [1, c.inHeight, c.inWidth, n * channels]),
    filter: view(dyt, [c.outHeight, c.outWidth, n * channels, mult]),
  }, {
    strides: [c.dilationHeight, c.dilationWidth],
    dilations: [c.strideHeight, c.strideWidth],
    pad: explicitPad(filterGradPads(rowAxis), filterGradPads(colAxis)),
  });
  const cut = slice4(s, g, [0, 0, 0, 0], [1, kh, kw, n * channels * mult]);
  if (n === 1) return cut;
  return s.run('Sum', { x: view(cut, [kh, kw, n, channels * mult]) }, { axis: [2], keepDims: false });
}

/**
 * The dense filter gradient of all channel pairs (as Conv2DBackpropFilter: input [C,H,W,N], dy as an
 * [OH,OW,N,C·M] filter), of which only the diagonal out[c, kh, kw, c·M+m] is kept.
 */
export function filterGradViaDense(args: Args): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as FilterGradAttrs;
  const c = forwardInfo(x.shape, attrs.filterShape, attrs, true);
  const [kh, kw, channels, mult] = attrs.filterShape;
  return composite(args.backend, 'wasm', (s) => {
    const [rowAxis, colAxis] = axes(c);
    const xt = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyt = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const g = s.run('Conv2D', { x: xt, filter: dyt }, {
      strides: [c.dilationHeight, c.dilationWidth],
      dilations: [c.strideHeight, c.strideWidth],
      pad: explicitPad(filterGradPads(rowAxis), filterGradPads(colAxis)),
      dataFormat: 'NHWC',
    });
    const [, gh, gw, cm] = g.shape;
    return loopKernel(args.backend, [g], [kh, kw, channels, mult], ([all], df) => {
      for (let ch = 0; ch < channels; ch++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const from = ((ch * gh + i) * gw + j) * cm + ch * mult;
            const to = ((i * kw + j) * channels + ch) * mult;
            for (let m = 0; m < mult; m++) df[to + m] = all[from + m];
          }
        }
      }
    });
  });
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc,
};

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc,
};
