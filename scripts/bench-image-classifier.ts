/**
 * `npm run bench:classifier [-- --data-dir ../shared/data/cifar10-jpeg --train 10000 --test 10000 --max-trials 6 --epochs 3 --backend wasm --baseline-only]`
 *
 * The figures of README's ImageClassifier section: `fit` with its defaults on the first N CIFAR-10
 * training images (20% held out to score the trials, then the best refit on all N), then test
 * accuracy on the 10,000 test images, against the seed example's fixed plain CNN (conv 32, max
 * pool, conv 64, max pool, dense 128, dropout 0.5; the macro space's MACRO_PLAIN_CNN) trained with
 * the same trainer and epochs on the same N images, as the example's `model.fit` does. Wall-clock
 * seconds of each; one JSON line at the end.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendLabel, useBackend } from '../src/backend';
import { DATASETS } from '../src/data';
import { MACRO_PLAIN_CNN, macroFromKey } from '../src/space/macro-space';
import { macroCost } from '../src/space/macro-budget';
import { trainMacro } from '../src/train/macro-train';
import { disposeMacroNet } from '../src/nets/macro-net';
import { ImageClassifier } from '../src/api/image-classifier';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const dataDir = arg('data-dir', path.join('..', 'shared', 'data', 'cifar10-jpeg'));
  const trainCount = Number(arg('train', '10000'));
  const maxTrials = Number(arg('max-trials', '0')) || undefined;
  const epochs = Number(arg('epochs', '0')) || undefined;
  const seed = Number(arg('seed', '0'));
  const out = arg('out', fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-bench-ic-')));
  const backend = await useBackend(arg('backend', 'wasm'), () => undefined);
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const testCount = Number(arg('test', '10000'));
  const d = DATASETS.cifar10.load({ dir: dataDir, trainLimit: trainCount, testLimit: testCount });
  log(`backend ${backendLabel(backend)}; ${d.train.count} training images, ${d.test.count} test images; load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);

  // The baseline: the same trainer, the same images (all N), the same epochs.
  const trialEpochs = epochs ?? 3; // ImageClassifier's default
  const t1 = Date.now();
  const base = await trainMacro(d, { genotype: MACRO_PLAIN_CNN, epochs: trialEpochs, batchSize: 64, lr: 1e-3, augment: true, seed, runDir: path.join(out, 'plain-cnn'), resume: false, log });
  const baseSeconds = (Date.now() - t1) / 1000;
  disposeMacroNet(base.model);
  log(`plain CNN: test ${(100 * base.test.accuracy).toFixed(2)}% after ${baseSeconds.toFixed(0)} s`);
  // --baseline-only: the plain CNN's figures alone (its trainer's accuracy and time, without the search).
  if (process.argv.includes('--baseline-only')) {
    console.log(JSON.stringify({ backend, train_images: d.train.count, test_images: d.test.count, load_end: os.loadavg(), plain_cnn: { test_accuracy: base.test.accuracy, seconds: baseSeconds, params: base.params } }));
    return;
  }
  const clf = new ImageClassifier({ maxTrials, epochs, seed, backend, directory: path.join(out, 'classifier'), log: () => undefined });
  const t0 = Date.now();
  const s = await clf.fit(d.train.images, d.train.labels, {
    shape: d.shape,
    onTrial: (t) => log(`trial ${t.trial}: ${(100 * t.valAccuracy).toFixed(2)}% (best ${(100 * t.best.valAccuracy).toFixed(2)}%) ${t.architecture}`),
  });
  const fitSeconds = (Date.now() - t0) / 1000;
  const test = await clf.evaluate(d.test.images, d.test.labels);
  log(`classifier: test ${(100 * test.accuracy).toFixed(2)}% after ${fitSeconds.toFixed(0)} s; best ${s.best.architecture}\n${s.drawn}`);

  console.log(JSON.stringify({
    backend, train_images: d.train.count, test_images: d.test.count, load_end: os.loadavg(),
    classifier: { test_accuracy: test.accuracy, seconds: fitSeconds, best: s.best, params: s.best.params, mmacs: macroCost(macroFromKey(s.best.architecture)) / 1e6 },
    trials: s.trials,
    plain_cnn: { test_accuracy: base.test.accuracy, seconds: baseSeconds, params: base.params, mmacs: macroCost(MACRO_PLAIN_CNN) / 1e6 },
  }));
  clf.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
