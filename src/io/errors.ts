/**
 * The one error type of tfnas for what the caller got wrong (a bad option, a missing or damaged file,
 * a run folder that cannot be resumed) and for an aborted run. Library callers read `code` and
 * `option`; the CLI prints the message without a stack trace and exits with code 2 (other errors
 * exit with 1). `UsageError` is the same class under its older name.
 */
export type TfnasErrorCode =
  /** An option's value is wrong, missing or does not fit the others; `option` names it. */
  | 'BAD_OPTION'
  /** Other bad input (a job payload, a genotype string without an option to blame). */
  | 'USAGE'
  /** A dataset or table file that is missing or damaged (`DataFileError`). */
  | 'DATA_FILE'
  /** The caller's AbortSignal fired; the run folder keeps its last checkpoint (resume it). */
  | 'ABORTED';

export interface TfnasErrorInit {
  code?: TfnasErrorCode;
  /** The option at fault (flag name, e.g. `batch-size`); read from a `--flag:` message when not given. */
  option?: string;
}

export class TfnasError extends Error {
  readonly code: TfnasErrorCode;
  /** The option at fault, by flag name (`batch-size`), where one is. */
  readonly option?: string;

  constructor(message: string, init: TfnasErrorInit = {}) {
    super(message);
    this.name = 'TfnasError';
    // Every message about an option starts with `--flag` (badArgument, readOptions): the option is that flag.
    this.option = init.option ?? /^--([a-z0-9][a-z0-9-]*)/i.exec(message)?.[1];
    this.code = init.code ?? (this.option !== undefined ? 'BAD_OPTION' : 'USAGE');
  }
}

/** The older name of TfnasError (one class: `new UsageError(m) instanceof TfnasError`). */
export const UsageError = TfnasError;
export type UsageError = TfnasError;

/** Throws a TfnasError naming the argument and what was expected. */
export function badArgument(name: string, expected: string, got: unknown): never {
  // JSON.stringify(NaN) is "null": say what the user typed was not a number instead.
  const shown = typeof got === 'number' && !Number.isFinite(got) ? 'a value that is not a number' : JSON.stringify(got);
  throw new TfnasError(`--${name}: expected ${expected}, got ${shown}`, { option: name });
}

/** The error an aborted run rejects with: its folder keeps the last checkpoint. */
export function abortedError(what: string): TfnasError {
  return new TfnasError(`${what} was aborted; its run folder keeps the last checkpoint (resume: true continues it)`, { code: 'ABORTED' });
}

/** The first line of an error's message (backends append stack-like detail after it). */
export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
