import * as tf from '@tensorflow/tfjs';
import { useBackend } from '.';
import { BACKENDS, BACKEND_NAMES, installHint } from './registry';
import { judgeGpu } from './gpu';
import { AdapterFacts, assertNoDeviceError, judgeAdapter, releaseWebgpu, watchDevice } from './webgpu';

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
    expect(BACKEND_NAMES).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
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
        // A GPU backend installed: it must either see a GPU (webgpu: any adapter) or refuse with the reason.
        await entry.load();
        const check = await entry.check!(true);
        if (check.ok) await expect(useBackend(name, () => undefined)).resolves.toBe(name);
        else await expect(useBackend(name, () => undefined)).rejects.toThrow(/no GPU is usable/);
      }
    });
  }

  afterAll(() => releaseWebgpu());

  it('rejects an unknown name, listing the valid ones', async () => {
    await expect(useBackend('metal')).rejects.toThrow(/--backend: expected one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu; got "metal"/);
  });

  it('auto picks the first that loads (webgpu only on a hardware adapter)', async () => {
    // No hardware adapter here (and without SwiftShader's variables no adapter at all).
    const expected = BACKEND_NAMES.find((n) => n !== 'webgpu' && installed(BACKENDS[n].packageName))!;
    const got = await useBackend('auto', () => undefined);
    if (expected === 'tensorflow-gpu') expect(['tensorflow-gpu', 'tensorflow']).toContain(got);
    else expect(got).toBe(expected);
  });

  it('install hints name the package and version', () => {
    expect(installHint('tensorflow')).toBe(`npm install @tensorflow/tfjs-node@${tf.version_core}`);
    expect(installHint('tensorflow-gpu')).toMatch(/tfjs-node-gpu@.*CUDA 11\.2.*cuDNN 8\.1/);
    expect(installHint('cpu')).toBe('');
    expect(installHint('webgpu')).toMatch(/npm install webgpu@0\.6\.2/);
  });
});

describe('WebGPU adapter rule', () => {
  const facts = (isFallbackAdapter: boolean): AdapterFacts => ({
    vendor: isFallbackAdapter ? 'google' : 'nvidia',
    architecture: isFallbackAdapter ? 'swiftshader' : 'blackwell',
    device: '',
    description: '',
    isFallbackAdapter,
    maxBufferSize: 2 ** 30,
    maxStorageBufferBindingSize: 2 ** 30,
  });
  it('auto takes a hardware adapter and never a fallback one', () => {
    expect(judgeAdapter(facts(false), false)).toMatchObject({ ok: true, reason: expect.stringMatching(/nvidia blackwell, hardware adapter/) });
    expect(judgeAdapter(facts(true), false)).toMatchObject({ ok: false, reason: expect.stringMatching(/fallback adapter.*auto never picks/) });
  });
  it('--backend webgpu takes a fallback adapter too, labelled as software', () => {
    expect(judgeAdapter(facts(true), true)).toMatchObject({ ok: true, reason: expect.stringMatching(/google swiftshader, fallback adapter: software, not a GPU/) });
  });
  it('a device error (an invalid pipeline leaves zeros, not an exception) stops the run', () => {
    const device = { onuncapturederror: null as ((e: { error?: { message?: string } }) => void) | null };
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      watchDevice(device);
      expect(() => assertNoDeviceError()).not.toThrow();
      device.onuncapturederror!({ error: { message: 'Invalid ComputePipeline "AddNPackedProgram"\n - While…' } });
      expect(() => assertNoDeviceError()).toThrow(/webgpu device reported an error.*AddNPackedProgram/);
      expect(err).toHaveBeenCalledWith(expect.stringMatching(/tfnas: webgpu device error: Invalid ComputePipeline/));
      watchDevice({ onuncapturederror: null }); // a new device starts clean
      expect(() => assertNoDeviceError()).not.toThrow();
    } finally {
      err.mockRestore();
    }
  });
  it('no adapter: refused either way, with the reason', () => {
    for (const explicit of [false, true]) expect(judgeAdapter(null, explicit)).toMatchObject({ ok: false, reason: expect.stringMatching(/no WebGPU adapter/) });
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
