/**
 * Kernel fixes registered for a backend when it is selected (see wasm-kernels.ts, avgpool-grad.ts).
 * Idempotent: calling it twice for the same backend registers nothing twice.
 */
export function patchBackend(tfName: string): void {
  void tfName;
}
