// Runs once before the suite: the system users of the test servers, with one random password
// for the session. Tests get the password with `inject('testPassword')`.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureUser } from './servers/common.js';

export const TEST_USERS = ['framsftp', 'framkey', 'framftp', 'framsmb'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    testPassword: string;
  }
}

/**
 * One password per machine, kept in a root-only file: a second test session started while one runs
 * must not change the users' password under it.
 */
function sessionPassword(): string {
  const file = path.join(tmpdir(), 'fram-test-users', 'password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Letters and digits only, so that no server or shell reads anything into it.
  const password = `Pw${randomBytes(12).toString('hex')}`;
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

export default function setup(project: TestProject): void {
  const password = sessionPassword();
  for (const user of TEST_USERS) ensureUser(user, password);
  project.provide('testPassword', password);
}
