import { COMMANDS } from './commands';
import { buildCli, main } from './main';

async function capture(fn: () => Promise<unknown>): Promise<{ out: string; err: string; result: unknown }> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const cl = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += a.join(' ') + '\n'));
  try {
    const result = await fn();
    return { out, err, result };
  } finally {
    so.mockRestore();
    se.mockRestore();
    cl.mockRestore();
  }
}

describe('tfnas CLI', () => {
  it('--help lists every command with a one-line description and an example', async () => {
    const help = await buildCli([]).getHelp();
    for (const c of COMMANDS) {
      const name = String(c.command).split(' ')[0];
      expect(help).toContain(`tfnas ${name}`);
      expect(String(c.describe)).toMatch(/e\.g\. tfnas /);
    }
  });

  it('an unknown command exits 2 with a clear message', async () => {
    const { err, result } = await capture(() => main(['frobnicate']));
    expect(result).toBe(2);
    expect(err).toMatch(/tfnas: error: Unknown argument: frobnicate/);
  });

  it('a bad backend name exits 2 naming the option', async () => {
    const { err, result } = await capture(() => main(['backends', '--backend', 'nope']));
    expect(result).toBe(2);
    expect(err).toMatch(/tfnas: error: .*backend/);
  });

  it('backends --json reports wasm and cpu as available', async () => {
    const { out, result } = await capture(() => main(['backends', '--json']));
    expect(result).toBe(0);
    const report = JSON.parse(out.trim().split('\n').pop()!);
    const byName = Object.fromEntries(report.backends.map((b: { name: string; available: boolean }) => [b.name, b.available]));
    expect(byName.wasm).toBe(true);
    expect(byName.cpu).toBe(true);
  });
});
