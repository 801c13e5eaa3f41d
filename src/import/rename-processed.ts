// Renames an imported file to its P_ name, never over an existing file (SPEC 6.7).

import { FramError } from '../errors.js';
import { processedName } from './rename.js';
import { TargetExistsError, type Transport } from '../transports/transport.js';

const MAX_ATTEMPTS = 50;

/** Returns the new name. Throws FramError 5007 when the server refuses. */
export async function renameProcessed(transport: Transport, name: string, now: () => Date, tz: string): Promise<string> {
  const at = now();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const target = processedName(name, at, tz, attempt);
    try {
      await transport.rename(name, target);
      return target;
    } catch (e) {
      if (e instanceof TargetExistsError) continue;
      throw new FramError(5007, { file: name, target, reason: (e as Error).message }, { cause: e });
    }
  }
  throw new FramError(5007, { file: name, target: processedName(name, at, tz), reason: `${MAX_ATTEMPTS} names were all taken` });
}
