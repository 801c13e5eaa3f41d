// The shape of one CLI command. Each command lives in its own file and calls services only.

import type { ParseArgsConfig } from 'node:util';
import type { GlobalFlags, Io } from './context.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** One or two words, e.g. `run` or `logs clear`. */
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code: 0 success, 1 the run was Unsuccessful. */
  run(args: string[], values: Values, flags: GlobalFlags, io: Io): Promise<number>;
}
