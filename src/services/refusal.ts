// A request a service will not carry out as asked: an unknown or disabled import, a value out of
// range, a file that is not held. Not a failure of the run (those are FramErrors with codes): the CLI
// prints it and exits 2 (revert: 1); the HTTP API will answer 4xx by `reason`.

export type RefusalReason = 'invalid' | 'notFound' | 'conflict';

export interface RefusalOptions {
  /** Lines that explain it: the problems of a disabled import, the files that match a prefix. */
  details?: string[];
  reason?: RefusalReason;
  /**
   * The input the refusal is about (`at`, `school-year`, `as-of`): the message then reads after
   * its name, so each adapter says it in its own words (`--at '...' is not...`, `at: '...' is not...`).
   */
  input?: string;
}

export class Refusal extends Error {
  readonly details: string[];
  readonly reason: RefusalReason;
  readonly input: string | null;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message);
    this.name = 'Refusal';
    this.details = options.details ?? [];
    this.reason = options.reason ?? 'invalid';
    this.input = options.input ?? null;
  }
}
