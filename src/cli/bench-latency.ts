import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../io/errors';
import { writeCsv } from '../io/csv';
import { BACKEND_OPTION, JSON_OPTION, printJsonSummary, startBackend } from './common';
import { addOptions, checks, CONFIG_OPTION, readOptions, type OptionSpecs } from './options';
import { DEFAULT_NETWORK, LatencyNetwork, LatencySpace, networkProblem } from '../latency/positions';
import { measureLatencyTable } from '../latency/measure';
import { LatencyTable, readLatencyTable, writeLatencyTable } from '../latency/table';
import { predictLatency } from '../latency/predictor';
import { measuredNetworkLatencies, type TimingOptions } from '../latency/measure';
import { resolveGenotype } from '../space/genotype';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { correlateWithDevices, readHwNasBench } from '../latency/hw-nas-bench';

/** Every option of `tfnas bench latency` (see options.ts). */
export const BENCH_LATENCY_OPTIONS = {
  space: { type: 'string', default: 'darts', choices: ['darts', 'nb201'], describe: 'search space whose ops and network are measured' },
  'init-channels': { type: 'number', check: checks.int(2), describe: 'initial channels C of the network', defaultDescription: '16' },
  layers: { type: 'number', check: checks.int(1), describe: 'darts: cells; nb201: cells per stage', defaultDescription: 'darts 8, nb201 5' },
  size: { type: 'number', default: 32, check: checks.int(4), describe: 'input height and width' },
  batch: { type: 'number', default: 1, check: checks.int(1), describe: 'images per forward pass (1: one image, as an app)' },
  'num-classes': { type: 'number', default: 10, check: checks.int(2), describe: 'classifier outputs' },
  repeats: { type: 'number', default: 20, check: checks.int(1), describe: 'timed runs per op and network; the median is kept' },
  warmup: { type: 'number', default: 5, check: checks.int(0), describe: 'untimed runs first' },
  calibration: { type: 'number', default: 5, check: checks.int(1), describe: 'random cells whose measured networks give the fixed part' },
  validate: { type: 'number', default: 50, check: checks.int(0), describe: 'random cells whose measured latency checks the predictor (0: none)' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'seed of the inputs and of the random cells' },
  'hw-nas-bench': { type: 'string', describe: '--space nb201: HW-NAS-Bench CSV (scripts/hw_nas_bench_to_csv.py); prints the rank correlation of the predicted latencies with each device\'s' },
  genotype: { type: 'strings', describe: 'instead of a table: measure the whole networks of these cells (run folders, built-in names, strings), interleaved' },
  'latency-table': { type: 'string', describe: 'with --genotype: also print each cell\'s latency predicted by this table (its network is the one measured)' },
  out: { type: 'string', describe: 'latency table file (JSON)', defaultDescription: 'results/latency/<space>-<backend>.json' },
  ...JSON_OPTION,
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;

/** `tfnas bench latency`: the latency table of a space's ops on a backend, and the predictor's check. */
export const benchLatencyCommand: CommandModule = {
  command: 'latency',
  describe: 'Forward latency of every candidate op at every position of the network, into a latency table (e.g. tfnas bench latency --space nb201 --backend wasm)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_LATENCY_OPTIONS)
      .example('flock /tmp/tfnas-bench.lock tfnas bench latency --space darts --backend wasm --json', 'table + Spearman of the predictor on 50 random cells')
      .example('tfnas bench latency --space nb201 --backend wasm --validate 0 --out nb201.json', 'the table only') as never,
  handler: async (raw) => {
    const a = readOptions(raw as Record<string, unknown>, BENCH_LATENCY_OPTIONS, 'bench latency');
    const space = a.space as LatencySpace;
    const d = DEFAULT_NETWORK[space];
    const network: LatencyNetwork = { space, channels: a.initChannels ?? d.channels, layers: a.layers ?? d.layers, size: a.size, batch: a.batch, numClasses: a.numClasses };
    const problem = networkProblem(network);
    if (problem) throw new UsageError(problem);
    if (a.hwNasBench !== undefined && space !== 'nb201') throw new UsageError('--hw-nas-bench: HW-NAS-Bench\'s latencies are of NAS-Bench-201 cells; use --space nb201');
    const bench = a.hwNasBench !== undefined ? readHwNasBench(a.hwNasBench, '--hw-nas-bench') : null;
    const backend = await startBackend(a.backend);
    if (a.genotype) return measureCells(a.genotype, a.latencyTable ? readLatencyTable(a.latencyTable) : null, network, { repeats: a.repeats, warmup: a.warmup, seed: a.seed }, a.json, backend);
    const out = a.out ?? path.join('results', 'latency', `${space}-${backend}.json`);
    const timing = { repeats: a.repeats, warmup: a.warmup, seed: a.seed };
    const onProgress = (what: string) => process.stderr.write(`  ${what}\n`);
    const { table, validation } = await measureLatencyTable(network, { ...timing, backend, calibration: a.calibration, validate: a.validate, onProgress });
    const say = (line: string) => (a.json ? process.stderr.write(line + '\n') : console.log(line));
    say(`latency table: ${Object.keys(table.ops).length} entries, fixed part ${table.fixedMs} ms, baseline ${table.baselineMs} ms per call`);
    writeLatencyTable(out, { ...table, ...(validation ? { validation: { cells: validation.cells, spearman: validation.spearman, mean_rel_error: validation.meanRelError } } : {}) });
    if (validation) {
      writeCsv(out.replace(/\.json$/, '') + '-validation.csv', ['cell', 'predicted_ms', 'measured_ms'], validation.rows.map((r) => ({ cell: r.cell, predicted_ms: r.predictedMs, measured_ms: r.measuredMs })));
      say(`predictor on ${validation.cells} random cells: Spearman ${validation.spearman}, mean relative error ${validation.meanRelError}`);
    }
    const devices = bench ? correlateWithDevices(table, bench) : null;
    if (devices) say(`Spearman with HW-NAS-Bench's devices over ${bench!.rows.size} cells: ${Object.entries(devices).map(([d, r]) => `${d} ${r}`).join(', ')}`);
    say(`wrote ${out}`);
    if (a.json) {
      printJsonSummary({
        space, backend, network, out, entries: Object.keys(table.ops).length, fixedMs: table.fixedMs, baselineMs: table.baselineMs,
        ...(validation ? { cells: validation.cells, spearman: validation.spearman, mean_rel_error: validation.meanRelError } : {}),
        ...(devices ? { hw_nas_bench_spearman: devices } : {}),
      });
    }
  },
};

/**
 * `--genotype …`: the measured latency of each cell's whole network (the table's network when
 * --latency-table is given, else the command line's), and the table's prediction.
 */
async function measureCells(args: string[], table: LatencyTable | null, cli: LatencyNetwork, timing: TimingOptions, json: boolean, backend: string): Promise<void> {
  const network = table?.network ?? cli;
  const cells = args.map((g) => resolveGenotype(g, { allowNb201: true }));
  for (const c of cells) if (c.space !== network.space) throw new UsageError(`--genotype: ${c.source} is a ${c.space} cell; the network is of the ${network.space} space`);
  const genotypes = cells.map((c) => c.genotype as DartsGenotype | Nb201Genotype);
  const measured = await measuredNetworkLatencies(network, genotypes, timing);
  const rows = cells.map((c, i) => ({
    genotype: c.source, measuredMs: Number(measured[i].toFixed(4)),
    ...(table ? { predictedMs: Number(predictLatency(table, genotypes[i]).toFixed(4)) } : {}),
  }));
  for (const r of rows) (json ? process.stderr : process.stdout).write(`${r.genotype}: measured ${r.measuredMs} ms${'predictedMs' in r ? `, predicted ${r.predictedMs} ms` : ''}\n`);
  if (json) printJsonSummary({ backend, network, cells: rows });
}
