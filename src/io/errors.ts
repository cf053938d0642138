/**
 * An error caused by the user's input (a bad argument, a missing or damaged file). The CLI prints
 * its message without a stack trace and exits with code 2; other errors exit with 1.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Throws a UsageError naming the argument and what was expected. */
export function badArgument(name: string, expected: string, got: unknown): never {
  // JSON.stringify(NaN) is "null": say what the user typed was not a number instead.
  const shown = typeof got === 'number' && !Number.isFinite(got) ? 'a value that is not a number' : JSON.stringify(got);
  throw new UsageError(`--${name}: expected ${expected}, got ${shown}`);
}

/** The first line of an error's message (backends append stack-like detail after it). */
export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
