// The transport contract and the end-to-end suite (helpers/contract-suite.ts) against OpenSSH's sftp.

import { inject } from 'vitest';
import { transportSuites } from './helpers/contract-suite.js';
import { startSftpServer } from './servers/sftp.js';

const password = inject('testPassword');
transportSuites(['sftp'], password, async () => [await startSftpServer({ password })]);
