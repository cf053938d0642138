import * as tf from '@tensorflow/tfjs';

export type Info = tf.TensorInfo;

/**
 * Runs existing kernels of one backend from inside another kernel, at the kernel level: nothing is
 * recorded on the gradient tape and no tf.Tensor is created. Every result is freed with
 * `backend.disposeData` when the scope ends, except the one the composite kernel returns.
 */
export class KernelScope {
  private readonly owned: Info[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): Info {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new Error(`tfnas: kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    const info = (Array.isArray(out) ? out[0] : out) as Info;
    this.owned.push(info);
    return info;
  }

  /**
   * Hands `info` (a result of `run`, or a view of one) to the caller, with its shape or another of
   * the same size. Each result holds one reference to its data, so any result with that data will do.
   */
  keep(info: Info, shape: number[] = info.shape): Info {
    const i = this.owned.findIndex((o) => o.dataId === info.dataId);
    if (i < 0) throw new Error('tfnas: KernelScope.keep: not a result of this scope');
    this.owned.splice(i, 1);
    return view(info, shape);
  }

  dispose(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}

/** Runs `body` in a fresh scope and frees its intermediates, also when it throws. */
export function composite(backend: tf.KernelBackend, backendName: string, body: (s: KernelScope) => Info): Info {
  const scope = new KernelScope(backend, backendName);
  try {
    return body(scope);
  } finally {
    scope.dispose();
  }
}

/**
 * The same data seen with another shape of the same size (row-major data makes a reshape free).
 * A view owns nothing: free the tensor it was made from, never the view.
 */
export function view(info: Info, shape: number[]): Info {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Slices a 4-D tensor to [begin, begin + size) per axis, or returns it when nothing is cut. */
export function slice4(s: KernelScope, x: Info, begin: number[], size: number[]): Info {
  if (begin.every((b) => b === 0) && size.every((n, i) => n === x.shape[i])) return x;
  return s.run('Slice', { x }, { begin, size });
}
