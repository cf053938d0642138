import { Rng } from './rng';
import { MACRO_INITIAL, MACRO_PLAIN_CNN, macroFromKey, macroFromTokens, macroIsValid, macroMacs, macroToKey, macroTokens, type MacroGenotype } from './macro-space';
import { macroCost, macroShrink } from './macro-budget';
import { macroSpaceWithin } from './spaces';
import { macroDiagram } from '../viz/macro-text';

describe('macro space', () => {
  it('writes the plain CNN in its key form and reads it back', () => {
    expect(macroToKey(MACRO_PLAIN_CNN)).toBe('conv3-32/max conv3-64/max bn=0 drop=0.5 dense=128');
    expect(macroFromKey('sep5-64+,conv3-32/avg conv7-128/none bn=1 drop=0 dense=0')).toEqual({
      stages: [
        { pool: 'avg', blocks: [{ separable: true, kernel: 5, filters: 64, skip: true }, { separable: false, kernel: 3, filters: 32, skip: false }] },
        { pool: 'none', blocks: [{ separable: false, kernel: 7, filters: 128, skip: false }] },
      ],
      batchNorm: true,
      dropout: 0,
      dense: 0,
    });
    expect(() => macroFromKey('conv4-32/max bn=0 drop=0 dense=0')).toThrow(/not in the macro space/);
    expect(() => macroFromKey('pool/max bn=0 drop=0 dense=0')).toThrow(/block "pool"/);
  });

  it('counts multiply-accumulates by hand for the plain CNN (Keras summary of the same layers)', () => {
    // conv 3×3×3→32 at 32×32, conv 3×3×32→64 at 16×16, flatten 8×8×64 → dense 128 → 10.
    const expected = 32 * 32 * 3 * 32 * 9 + 16 * 16 * 32 * 64 * 9 + 8 * 8 * 64 * 128 + 128 * 10;
    expect(macroMacs(MACRO_PLAIN_CNN, [32, 32, 3], 10)).toBe(expected);
    // Separable: depthwise k² per input channel plus the pointwise 1×1.
    const sep: MacroGenotype = { ...MACRO_PLAIN_CNN, stages: [{ pool: 'none', blocks: [{ filters: 16, kernel: 5, separable: true, skip: false }] }], dense: 0 };
    expect(macroMacs(sep, [8, 8, 3], 2)).toBe(64 * (3 * 25 + 3 * 16) + 8 * 8 * 16 * 2);
  });

  it('starts from the plain CNN, then distinct canonical chains within ImageClassifier\'s default 15 M-MAC budget', () => {
    expect(MACRO_INITIAL[0]).toBe(macroToKey(MACRO_PLAIN_CNN));
    expect(new Set(MACRO_INITIAL).size).toBe(MACRO_INITIAL.length);
    for (const k of MACRO_INITIAL) {
      expect(macroToKey(macroFromKey(k))).toBe(k);
      expect(macroCost(macroFromKey(k))).toBeLessThanOrEqual(15e6);
    }
  });

  it('tokens end the chain at the first absent stage', () => {
    const t = macroTokens(MACRO_PLAIN_CNN);
    expect(macroToKey(macroFromTokens(t))).toBe(macroToKey(MACRO_PLAIN_CNN));
    const noStages = t.map((v, i) => (i === 0 ? 0 : v)); // a first stage of 0 blocks still gets one
    expect(macroIsValid(macroFromTokens(noStages))).toBe(true);
  });

  it('shrinks any chain under a budget, and the budgeted space only samples and breeds under it', () => {
    const rng = new Rng(5);
    const budget = 8e6;
    const space = macroSpaceWithin(budget);
    for (let i = 0; i < 300; i++) {
      const a = space.sample(rng);
      const b = space.sample(rng);
      for (const g of [a, b, space.mutate(a, rng), space.crossover(a, b, rng)]) {
        expect(space.isValid(g)).toBe(true);
        expect(macroCost(g)).toBeLessThanOrEqual(budget);
      }
      const big = macroFromKey('conv7-128+,conv7-128,conv7-128/none conv7-128/none bn=1 drop=0 dense=256');
      expect(macroCost(macroShrink(big, budget))).toBeLessThanOrEqual(budget);
    }
    const scores = space.tokenVocab.map((v) => Array.from({ length: v }, (_, k) => (k === v - 1 ? 1 : 0)));
    expect(macroCost(space.fromTokenScores(scores))).toBeLessThanOrEqual(budget);
  });

  it('draws the chain layer by layer with its shapes', () => {
    expect(macroDiagram(MACRO_PLAIN_CNN, [32, 32, 3], 10).split('\n')).toEqual([
      'input         32×32×3',
      'conv 3×3, 32  32×32×32  ReLU',
      'max pool 2×2  16×16×32',
      'conv 3×3, 64  16×16×64  ReLU',
      'max pool 2×2  8×8×64',
      'flatten       4096',
      'dense 128     128       ReLU',
      'dropout 0.5',
      'logits        10        softmax in predict',
    ]);
  });
});
