/**
 * The webgpu side of webgpu-runs.test.ts, in a child process with SwiftShader's variables (see
 * backend/test-utils/webgpu.ts): runs each tfnas command of the JSON file named by argv[2] in turn,
 * in one process so that each shader is compiled once, and prints their exit codes as JSON.
 */
import * as fs from 'fs';
import { main } from '../main';
import { releaseWebgpu } from '../../backend/webgpu';

async function run(): Promise<number[]> {
  const commands = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as string[][];
  const codes: number[] = [];
  for (const args of commands) codes.push(await main(args));
  return codes;
}

run().then((codes) => {
  process.stdout.write(JSON.stringify({ codes }) + '\n');
  releaseWebgpu();
});
