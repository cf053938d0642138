/**
 * A real Redis for the queue tests: Debian's redis-server on a free loopback port with its own temp
 * folder, never a mock. Tests skip with a message where redis-server is not installed (.ci/run
 * installs it). Servers and worker processes started here are stopped by `stopAll` (afterAll), and
 * killed on exit if a test failed before it.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export function redisServerPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** `describe` where redis-server is installed, else `describe.skip` after a warning. */
export function describeWithRedis(what: string): jest.Describe {
  if (redisServerPath()) return describe;
  console.warn(`skipping ${what}: redis-server is not installed (apt-get install redis-server; .ci/run does)`);
  return describe.skip;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 10000): Promise<void> {
  for (let t = 0; t < ms / 50; t++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function pings(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(500);
    s.once('connect', () => s.write(password ? `AUTH ${password}\r\nPING\r\n` : 'PING\r\n'));
    let text = '';
    s.on('data', (d) => {
      text += d.toString();
      if (!text.includes('+PONG') && !text.includes('-')) return;
      s.destroy();
      resolve(text.includes('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server as a shutdown does (SIGTERM: the AOF is flushed), then starts it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: { aof?: boolean; password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--appendonly', opts.aof ? 'yes' : 'no', '--appendfsync', 'always', ...(opts.password ? ['--requirepass', opts.password] : [])];
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn(redisServerPath()!, args, { stdio: 'ignore' });
    children.add(proc);
    await waitFor(`redis-server on port ${port}`, () => pings(port, opts.password));
  };
  const halt = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    children.delete(p);
  };
  await start();
  return {
    url: `redis://${opts.password ? `:${opts.password}@` : ''}127.0.0.1:${port}`,
    port,
    dir,
    restart: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  proc: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

/** `tfnas worker` as its own process (ts-node), so that a test can kill it outright. */
export function spawnWorker(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  return spawnCli(['worker', ...args], cwd, env);
}

/** Any tfnas command as its own process (ts-node). */
export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const proc = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(REPO, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    env: { ...process.env, ...env, TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let text = '';
  proc.stdout!.on('data', (b) => (text += b));
  proc.stderr!.on('data', (b) => (text += b));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => (children.delete(proc), r(code))));
  return { proc, log: () => text, exited };
}

export async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill(signal);
  return w.exited;
}

export { waitFor };
