// The transport contract and the end-to-end suite (helpers/contract-suite.ts) against Samba with four server settings.

import { inject } from 'vitest';
import { transportSuites } from './helpers/contract-suite.js';
import { startSmbServer, type SambaVariant } from './servers/smb.js';

const password = inject('testPassword');
const VARIANTS: SambaVariant[] = ['defaults', 'signing', 'encrypt', 'smb3'];
transportSuites(
  VARIANTS.map((v) => `smb (${v})`),
  password,
  () => Promise.all(VARIANTS.map((variant) => startSmbServer({ password, variant }))),
);
