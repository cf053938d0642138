/**
 * The one JSON key style of tfnas: snake_case, in every file and `--json` summary. camelCase
 * identifiers (`perClass`) become `per_class`; keys that are data (class names such as
 * "T-shirt/top", op names, already snake_case keys) stay as they are. `camelKeys` reads them back
 * into the typed (camelCase) objects of the code.
 */
const CAMEL = /^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

function mapKeys(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, key));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [key(k), mapKeys(v, key)]));
}

export function snakeKeys(value: unknown): unknown {
  return mapKeys(value, (k) => (CAMEL.test(k) ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : k));
}

export function camelKeys(value: unknown): unknown {
  return mapKeys(value, (k) => (SNAKE.test(k) ? k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : k));
}
