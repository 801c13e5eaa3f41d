// Global set-up of the servers and process projects (vitest.config.ts), never of unit: the system
// users of the test servers, with the machine's test password (see testPassword). Needs root.
// Tests get the password with `inject('testPassword')`.

import type { TestProject } from 'vitest/node';
import { ensureUser, testPassword } from './servers/common.js';

export const TEST_USERS = ['framsftp', 'framkey', 'framftp', 'framsmb'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    testPassword: string;
  }
}

export default function setup(project: TestProject): void {
  const password = testPassword();
  for (const user of TEST_USERS) ensureUser(user, password);
  project.provide('testPassword', password);
}
