import * as tf from '@tensorflow/tfjs';
import { useBackend } from '.';
import { BACKENDS, BACKEND_NAMES, installHint } from './registry';
import { judgeGpu } from './gpu';

function installed(pkg: string | null): boolean {
  if (!pkg) return true;
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('backend registry', () => {
  it('lists the backends in the order auto tries them', () => {
    expect(BACKEND_NAMES).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });

  for (const name of BACKEND_NAMES) {
    it(`${name}: selects it, or says how to install it`, async () => {
      const entry = BACKENDS[name];
      if (installed(entry.packageName) && !entry.check) {
        await expect(useBackend(name, () => undefined)).resolves.toBe(name);
        expect(tf.getBackend()).toBe(entry.tfName);
        const x = tf.tensor1d([1, 2, 3]);
        expect(Array.from(tf.mul(x, 2).dataSync())).toEqual([2, 4, 6]);
        tf.dispose(x);
      } else if (!installed(entry.packageName)) {
        await expect(useBackend(name, () => undefined)).rejects.toThrow(`npm install ${entry.packageName}@`);
      } else {
        // tensorflow-gpu installed: it must either see a GPU or refuse with the reason.
        const check = entry.check!();
        if (check.ok) await expect(useBackend(name, () => undefined)).resolves.toBe(name);
        else await expect(useBackend(name, () => undefined)).rejects.toThrow(/no GPU is usable/);
      }
    });
  }

  it('rejects an unknown name, listing the valid ones', async () => {
    await expect(useBackend('webgpu')).rejects.toThrow(/--backend: expected one of auto, tensorflow-gpu, tensorflow, wasm, cpu/);
  });

  it('auto picks the first that loads', async () => {
    const expected = BACKEND_NAMES.find((n) => installed(BACKENDS[n].packageName))!;
    const got = await useBackend('auto', () => undefined);
    if (expected === 'tensorflow-gpu') expect(['tensorflow-gpu', 'tensorflow']).toContain(got);
    else expect(got).toBe(expected);
  });

  it('install hints name the package and version', () => {
    expect(installHint('tensorflow')).toBe(`npm install @tensorflow/tfjs-node@${tf.version_core}`);
    expect(installHint('tensorflow-gpu')).toMatch(/tfjs-node-gpu@.*CUDA 11\.2.*cuDNN 8\.1/);
    expect(installHint('cpu')).toBe('');
  });
});

describe('GPU visibility', () => {
  const all = ['libcudart.so.11.0', 'libcudnn.so.8'];
  it('needs a device and both libraries', () => {
    expect(judgeGpu({ devices: ['/dev/nvidia0'], libraries: all }).visible).toBe(true);
    expect(judgeGpu({ devices: [], libraries: all })).toMatchObject({ visible: false, reason: expect.stringMatching(/no NVIDIA device/) });
    expect(judgeGpu({ devices: ['/dev/nvidia0'], libraries: ['libcudart.so.11.0'] })).toMatchObject({
      visible: false,
      reason: expect.stringMatching(/missing libcudnn\.so\.8/),
    });
  });
});
