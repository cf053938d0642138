/**
 * The Redis connection of the job queue: `redis://[user:password@]host:port[/db]` or `rediss://…`
 * (TLS, passed through to ioredis). The password comes from the URL or, when the URL has none, from
 * TFNAS_REDIS_PASSWORD; it is never printed: every message shows `redactUrl(url)`.
 */
import { UsageError } from '../io/errors';

/** Every tfnas job (trial, probe, run) goes through this one BullMQ queue. */
export const QUEUE_NAME = 'tfnas';
/** Redis key prefix of tfnas's own keys (worker heartbeats, cancel marks); BullMQ's are `bull:tfnas:*`. */
export const KEY_PREFIX = 'tfnas';
export const PASSWORD_ENV = 'TFNAS_REDIS_PASSWORD';

export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
  /** Workers and coordinators wait out a Redis restart instead of failing (BullMQ's requirement for workers). */
  maxRetriesPerRequest: null;
  /** Reconnect with a bounded back-off (ms) while Redis is down. */
  retryStrategy: (times: number) => number;
}

/** The text with the password of every redis(s):// URL in it replaced by `***` (for logs, errors and files). */
export function redactUrl(url: string): string {
  return url.replace(/(rediss?:\/\/)([^@/\s]*)@/gi, (_m, scheme: string, auth: string) => {
    const i = auth.indexOf(':');
    return `${scheme}${i < 0 ? auth : `${auth.slice(0, i)}:***`}@`;
  });
}

/** Parses `--queue URL` into ioredis options; a bad URL is a UsageError naming the option. */
export function parseQueueUrl(url: string, env: NodeJS.ProcessEnv = process.env): QueueConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue: expected redis://[user:password@]host:port[/db] or rediss://…, got ${JSON.stringify(redactUrl(url))}`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'redis' && scheme !== 'rediss') throw new UsageError(`--queue: expected a redis:// or rediss:// URL, got a ${scheme}:// URL`);
  if (!u.hostname) throw new UsageError('--queue: the URL names no host');
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--queue: the database number must be a non-negative integer, got ${JSON.stringify(dbText)}`);
  const password = u.password ? decodeURIComponent(u.password) : env[PASSWORD_ENV] || undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(password ? { password } : {}),
    ...(scheme === 'rediss' ? { tls: { servername: host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
}
