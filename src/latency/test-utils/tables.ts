/** Synthetic latency tables for tests (no timing): op latency = a per-op cost × channels × size². */
import { DEFAULT_NETWORK, LatencySpace, SPACE_OPS, distinctPositions, positionKey } from '../positions';
import type { LatencyTable } from '../table';

export const SYNTHETIC_COST: Record<string, number> = {
  max_pool_3x3: 1, avg_pool_3x3: 1, skip_connect: 0.5, sep_conv_3x3: 6, sep_conv_5x5: 10, dil_conv_3x3: 3, dil_conv_5x5: 5,
  nor_conv_1x1: 2, nor_conv_3x3: 9,
};

export function syntheticTable(space: LatencySpace, fixedMs = 5, network = {}): LatencyTable {
  const n = { space, ...DEFAULT_NETWORK[space], ...network };
  const ops: Record<string, number> = {};
  for (const p of distinctPositions(n)) {
    for (const op of SPACE_OPS[space]) {
      if (op === 'none') continue;
      const identity = op === 'skip_connect' && p.stride === 1;
      ops[positionKey(op, p)] = identity ? 0 : (SYNTHETIC_COST[op] * p.channels * (p.size / p.stride) ** 2) / 1e5;
    }
  }
  return {
    format: 'tfnas-latency-table', version: 1, network: n, backend: 'synthetic', machine: {}, versions: {},
    repeats: 1, warmup: 0, baselineMs: 0, fixedMs, ops, created: '2026-01-01T00:00:00.000Z',
  };
}
