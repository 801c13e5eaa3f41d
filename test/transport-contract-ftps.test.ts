// The transport contract and the end-to-end suite (helpers/contract-suite.ts) against vsftpd, implicit and explicit TLS.

import { inject } from 'vitest';
import { transportSuites } from './helpers/contract-suite.js';
import { startFtpsServer } from './servers/ftps.js';

const password = inject('testPassword');
transportSuites(['ftps (implicit)', 'ftps (explicit)'], password, () =>
  Promise.all([startFtpsServer({ password, mode: 'implicit' }), startFtpsServer({ password, mode: 'explicit' })]),
);
