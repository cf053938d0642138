#!/usr/bin/env node
/**
 * Bundles the browser page of `tfnas bench latency --browser` (src/latency/browser/page.ts, with
 * tfjs and its webgl, wasm and webgpu backends) into one script: dist/latency-page/latency-page.js
 * by default (part of `npm run build`, so the npm package carries it), or the file named as the
 * first argument. The wasm backend's .wasm files are served from node_modules by the page server.
 */
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', 'latency-page', 'latency-page.js'));

/**
 * Node's modules as empty objects: tfjs' wasm glue and tfnas modules the page imports for their
 * types or pure helpers (table.ts reads files, genotype.ts resolves run folders) name them on paths
 * the page never takes.
 */
const NODE_BUILTINS = /^(node:)?(fs|path|os|crypto|worker_threads|perf_hooks|child_process|url|util|zlib)$/;
const nodeBuiltinsStubbed = {
  name: 'node-builtins-stubbed',
  setup(build) {
    build.onResolve({ filter: NODE_BUILTINS }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

esbuild
  .build({
    entryPoints: [path.join(ROOT, 'src', 'latency', 'browser', 'page.ts')],
    outfile: out,
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome110',
    plugins: [nodeBuiltinsStubbed],
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
