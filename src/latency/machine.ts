/** What a latency table records about where it was measured (Node side: the host and the versions). */
import * as os from 'os';
import { versions } from '../io/run-config';

/** The machine a table was measured on. */
export function machineInfo(): Record<string, string | number> {
  const cpus = os.cpus();
  return { hostname: os.hostname(), platform: os.platform(), arch: os.arch(), cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memory_gib: Math.round(os.totalmem() / 2 ** 30) };
}

/** The machine and versions of a table measured in this Node process. */
export function nodeEnvironment(): { machine: Record<string, string | number>; versions: Record<string, string> } {
  return { machine: machineInfo(), versions: versions() };
}
