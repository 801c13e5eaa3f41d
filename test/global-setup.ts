// Runs once before the suite: the system users of the test servers, with one random password
// for the session. Tests get the password with `inject('testPassword')`.

import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { ensureUser } from './servers/common.js';

export const TEST_USERS = ['framsftp', 'framkey', 'framftp', 'framsmb'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    testPassword: string;
  }
}

export default function setup(project: TestProject): void {
  // Letters and digits only, so that no server or shell reads anything into it.
  const password = `Pw${randomBytes(12).toString('hex')}`;
  for (const user of TEST_USERS) ensureUser(user, password);
  project.provide('testPassword', password);
}
