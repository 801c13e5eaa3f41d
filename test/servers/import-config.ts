// An import as the config loader would produce it, for a test server: every required field, the
// server's own fields over them, then the test's changes. Plain Node, for the tests and the bench.

import { createHash } from 'node:crypto';
import type { ImportConfig } from '../../src/config.js';

export function importConfig(fields: Record<string, unknown>, over: Partial<ImportConfig> = {}): ImportConfig {
  return {
    name: 'transport test',
    active: true,
    mapping: 'test mapping',
    directory: '',
    filePrefix: 'IC_Eligibility',
    insecureAcceptAnyHostKey: false,
    insecureTls: false,
    stableSeconds: 0,
    includeUpdatedRecords: true,
    maxChangeRatio: 0.2,
    paused: false,
    sourceFile: '/config/imports/transport-test.yaml',
    ...(fields as Partial<ImportConfig>),
    ...over,
  } as ImportConfig;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
