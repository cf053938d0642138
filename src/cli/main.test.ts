import { COMMANDS } from './commands';
import { buildCli, main } from './main';
import { capture } from './test-utils/run-cli';

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

  it('a bad backend name exits 2 naming the option and the choices', async () => {
    const { err, result } = await capture(() => main(['search', '--dry-run', '--backend', 'nope']));
    expect(result).toBe(2);
    expect(err).toMatch(/tfnas: error: [^]*backend[^]*nope/);
    expect(err).toMatch(/wasm/);
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
