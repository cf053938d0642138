/**
 * Runs tfnas commands in-process for tests, capturing what they print (stdout, stderr and
 * console.log) and the exit code `main` returns.
 */
import { main } from '../main';

export interface Captured<T> {
  out: string;
  err: string;
  result: T;
}

/** Calls `fn` with stdout, stderr and console.log captured; the spies are removed afterwards. */
export async function capture<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const cl = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += a.join(' ') + '\n'));
  try {
    const result = await fn();
    return { out, err, result };
  } finally {
    so.mockRestore();
    se.mockRestore();
    cl.mockRestore();
  }
}

/** `tfnas <args>` in-process: its exit code and output. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { out, err, result } = await capture(() => main(args));
  return { code: result, out, err };
}
