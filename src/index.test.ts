import * as tfnas from './index';

describe('library entry point', () => {
  it('exports useBackend on the same tf instance, and the main APIs', async () => {
    const name = await tfnas.useBackend('cpu', () => undefined);
    expect(name).toBe('cpu');
    expect(tfnas.tf.getBackend()).toBe('cpu');
    for (const key of ['resolveGenotype', 'deriveDartsGenotype', 'buildNetwork', 'makeSearcher', 'runDartsSearchLoop', 'retrain', 'dilatedConv2d']) {
      expect(typeof (tfnas as Record<string, unknown>)[key]).toBe('function');
    }
    expect(Object.keys(tfnas.SEARCHERS)).toEqual(expect.arrayContaining(['random', 'evolution', 'genetic', 'predictor', 'nao']));
    expect(formatRoundTrip()).toBe(true);
  });
});

function formatRoundTrip(): boolean {
  const g = tfnas.builtinGenotype('DARTS_V2')!;
  return JSON.stringify(tfnas.parseDartsString(tfnas.formatDartsGenotype(g))) === JSON.stringify(g);
}
