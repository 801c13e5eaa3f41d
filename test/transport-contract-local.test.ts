// The transport contract and the end-to-end suite (helpers/contract-suite.ts) against a local folder.

import { inject } from 'vitest';
import { startLocalServer, transportSuites } from './helpers/contract-suite.js';

transportSuites(['local'], inject('testPassword'), async () => [await startLocalServer()]);
