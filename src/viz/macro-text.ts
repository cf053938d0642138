/**
 * A macro-space chain drawn as text, one layer a line with the feature-map shape after it, e.g.
 *
 *   input            32×32×3
 *   conv 3×3, 32     32×32×32   BN ReLU
 *   max pool 2×2     16×16×32
 *   …
 *   dense 128        128        ReLU, dropout 0.5
 *   logits           10
 */
import type { MacroGenotype } from '../space/macro-space';

export function macroDiagram(g: MacroGenotype, inputShape: readonly [number, number, number], numClasses: number): string {
  let [h, w, c] = inputShape;
  const rows: [string, string, string][] = [['input', `${h}×${w}×${c}`, '']];
  const act = g.batchNorm ? 'BN ReLU' : 'ReLU';
  g.stages.forEach((s) => {
    for (const b of s.blocks) {
      const proj = b.skip && c !== b.filters ? ' (1×1 projection)' : '';
      c = b.filters;
      rows.push([`${b.separable ? 'sep conv' : 'conv'} ${b.kernel}×${b.kernel}, ${b.filters}`, `${h}×${w}×${c}`, `${act}${b.skip ? `, + skip${proj}` : ''}`]);
    }
    if (s.pool !== 'none' && Math.min(h, w) >= 2) {
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
      rows.push([`${s.pool} pool 2×2`, `${h}×${w}×${c}`, '']);
    }
  });
  const flat = Math.max(h, w) <= 8;
  rows.push([flat ? 'flatten' : 'global avg pool', String(flat ? h * w * c : c), '']);
  if (g.dense > 0) rows.push([`dense ${g.dense}`, String(g.dense), 'ReLU']);
  if (g.dropout > 0) rows.push([`dropout ${g.dropout}`, '', '']);
  rows.push(['logits', String(numClasses), 'softmax in predict']);
  const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2]}`.trimEnd()).join('\n');
}
