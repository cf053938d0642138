import * as tf from '@tensorflow/tfjs';
import { PoolGradAttrs, poolInfo } from './pool-grad';
import { builtinKernel } from './builtins';

/**
 * Fixes for the webgpu backend's kernels (issue 18). AddN: see `addN` below. The pooling gradients,
 * as WGSL programs. The built-in ones have the bugs
 * fixed for cpu/wasm in avgpool-grad.ts and pool-grad.ts (issue 18, measured on SwiftShader):
 * AvgPoolGrad divides every window by its full size (corner of avgPool(ones[1,3,3,1], 3, 1, 'same')
 * 0.444 instead of 0.694), and MaxPoolGrad sends a tied gradient to the last maximum of a window,
 * where cpu and PyTorch take the first. Both programs gather: one invocation per dx element sums
 * over the output windows that cover it, so no atomics are needed and the result does not depend
 * on scheduling.
 */

/** The part of @tensorflow/tfjs-backend-webgpu's WebGPUBackend these kernels use. */
interface WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: { type: string; data: number[] }[]): tf.TensorInfo;
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: tf.DataId): void;
}

const WORKGROUP: [number, number, number] = [64, 1, 1];

/**
 * A WebGPUProgram (tfjs-backend-webgpu's interface) over every element of `outShape`, laid out
 * flat. The backend adds the `uniforms.size` bound, `getCoordsFromIndex`, `get<Input>` and
 * `setOutputAtIndex` around `body`.
 */
function flatProgram(shaderKey: string, variableNames: string[], outShape: number[], body: string) {
  const size = tf.util.sizeFromShape(outShape);
  return {
    outputShape: outShape,
    shaderKey,
    variableNames,
    dispatchLayout: { x: outShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP[0]), 1, 1] as [number, number, number],
    workgroupSize: WORKGROUP,
    size: true,
    uniforms: 'strides : vec2<i32>, pads : vec2<i32>, win : vec2<i32>, dyHW : vec2<i32>, xHW : vec2<i32>,',
    getUserCode: () => `
      // In-bounds rows (x) or columns (y) [lo, hi) of the window of output position o.
      fn spanOf(o : vec2<i32>) -> vec4<i32> {
        let first = o * uniforms.strides - uniforms.pads;
        let lo = max(first, vec2<i32>(0));
        let hi = min(first + uniforms.win, uniforms.xHW);
        return vec4<i32>(lo, hi);
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let r = coords[1];
          let c = coords[2];
          let d = coords[3];
          var sum = 0.0;
          for (var wr = 0; wr < uniforms.win.x; wr++) {
            let tr = r + uniforms.pads.x - wr;
            if (tr < 0 || tr % uniforms.strides.x != 0) { continue; }
            let oh = tr / uniforms.strides.x;
            if (oh >= uniforms.dyHW.x) { continue; }
            for (var wc = 0; wc < uniforms.win.y; wc++) {
              let tc = c + uniforms.pads.y - wc;
              if (tc < 0 || tc % uniforms.strides.y != 0) { continue; }
              let ow = tc / uniforms.strides.y;
              if (ow >= uniforms.dyHW.y) { continue; }
              let span = spanOf(vec2<i32>(oh, ow));
              ${body}
            }
          }
          setOutputAtIndex(index, sum);
        }
      }`,
  };
}

/** dy shared among the in-bounds elements of the window only (PyTorch count_include_pad=False, DARTS's avg_pool_3x3). */
const AVG_BODY = `
              let count = (span.z - span.x) * (span.w - span.y);
              sum += getDy(b, oh, ow, d) / f32(count);`;

/** dy goes to the first maximum of the window in row-major order (cpu, PyTorch). */
const MAX_BODY = `
              var best = getX(b, span.x, span.y, d);
              var bestR = span.x;
              var bestC = span.y;
              for (var rr = span.x; rr < span.z; rr++) {
                for (var cc = span.y; cc < span.w; cc++) {
                  let v = getX(b, rr, cc, d);
                  if (v > best) { best = v; bestR = rr; bestC = cc; }
                }
              }
              if (bestR == r && bestC == c) { sum += getDy(b, oh, ow, d); }`;

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function poolGradKernel(kind: 'avg' | 'max') {
  return (args: KernelArgs): tf.TensorInfo => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const c = poolInfo(input.shape, dy.shape, args.attrs as unknown as PoolGradAttrs);
    const program = kind === 'avg'
      ? flatProgram('tfnasAvgPoolGrad', ['dy'], input.shape, AVG_BODY)
      : flatProgram('tfnasMaxPoolGrad', ['dy', 'x'], input.shape, MAX_BODY);
    const uniforms = [
      [c.strideHeight, c.strideWidth],
      [c.padInfo.top, c.padInfo.left],
      [c.effectiveFilterHeight, c.effectiveFilterWidth],
      [c.outHeight, c.outWidth],
      [c.inHeight, c.inWidth],
    ].map((data) => ({ type: 'int32', data }));
    const inputs = kind === 'avg' ? [dy] : [dy, input];
    return (args.backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, inputs, 'float32', uniforms);
  };
}

/**
 * AddN in chunks the device can bind. The built-in binds every input as a storage buffer in one
 * shader, so with more inputs than maxStorageBuffersPerShaderStage − 1 (WebGPU's default limit is
 * 8, which tfjs keeps) the pipeline is invalid and the sum silently comes out as zeros: a gradient
 * that sums many paths (a DARTS/NB201 node with all its edges, the second-order hypergradient) was
 * wrong on SwiftShader. Chunks are added in order, each after the running sum.
 */
function addN(args: KernelArgs): tf.TensorInfo {
  const inputs = Object.values(args.inputs) as tf.TensorInfo[];
  const backend = args.backend as unknown as WebGpuBackendLike;
  const builtin = builtinKernel('AddN', 'webgpu');
  const max = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
  // tfjs passes AddN its inputs as an array (the built-in maps over it).
  const sum = (xs: tf.TensorInfo[]) => builtin({ inputs: xs as unknown as tf.NamedTensorInfoMap, backend: args.backend, attrs: {} }) as tf.TensorInfo;
  if (inputs.length <= max) return sum(inputs);
  let acc = sum(inputs.slice(0, max));
  for (let i = max; i < inputs.length; i += max - 1) {
    const next = sum([acc, ...inputs.slice(i, i + max - 1)]);
    backend.disposeData(acc.dataId);
    acc = next;
  }
  return acc;
}

/** The kernels patches.ts registers for webgpu. */
export const WEBGPU_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: 'AddN', backendName: 'webgpu', kernelFunc: addN as unknown as tf.KernelFunc },
  { kernelName: 'AvgPoolGrad', backendName: 'webgpu', kernelFunc: poolGradKernel('avg') as unknown as tf.KernelFunc },
  { kernelName: 'MaxPoolGrad', backendName: 'webgpu', kernelFunc: poolGradKernel('max') as unknown as tf.KernelFunc },
];
