/**
 * Worker heartbeats: each `tfnas worker` keeps a key `tfnas:worker:<id>` (JSON: host, pid,
 * concurrency, backend, the jobs it runs, counts) that expires unless refreshed, so a killed worker
 * drops out of `tfnas queue status` and of the coordinator's in-flight window within WORKER_TTL_MS.
 */
import type IORedis from 'ioredis';
import { KEY_PREFIX } from './connection';

export const HEARTBEAT_MS = 2000;
export const WORKER_TTL_MS = 3 * HEARTBEAT_MS;
/** SCAN pages read when listing workers (bounded: a Redis shared with other data is not walked whole). */
const MAX_SCAN_PAGES = 100;

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  backend: string;
  started: string;
  active: { id: string; name: string; since: string }[];
  completed: number;
  failed: number;
}

export function workerKey(id: string): string {
  return `${KEY_PREFIX}:worker:${id}`;
}

export async function beat(redis: IORedis, info: WorkerInfo): Promise<void> {
  await redis.set(workerKey(info.id), JSON.stringify(info), 'PX', WORKER_TTL_MS);
}

export async function liveWorkers(redis: IORedis): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${KEY_PREFIX}:worker:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
    if (cursor === '0') break;
  }
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo).sort((a, b) => a.id.localeCompare(b.id));
}

/** A cancel mark for a running job, seen by its worker within a heartbeat. */
export function cancelKey(jobId: string): string {
  return `${KEY_PREFIX}:cancel:${jobId}`;
}
