// The `sftp` protocol's keys of an import file (SPEC 4): its branch of the import schema.

import { z } from 'zod';
import { HOST, PORT, SECRET, USERNAME, checkRemoteDirectory, portOr, requireLogin } from './fields.js';
import type { Endpoint, TransportDef } from './transport.js';

export const SFTP_PORT = 22;

export const sftpBranch = z.object({
  protocol: z.literal('sftp'),
  host: HOST,
  port: PORT,
  username: USERNAME,
  password: SECRET,
  privateKey: SECRET,
  passphrase: SECRET,
  hostKeySha256: z
    .string()
    .trim()
    .regex(/^SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$/, {
      error: 'must be written as `ssh-keygen -l` prints it: SHA256: and 43 base64 characters, no padding',
    })
    .optional(),
  insecureAcceptAnyHostKey: z.boolean().default(false),
});

/** An sftp import as the transport reads it (its secrets come apart, as values). */
export type SftpConfig = Endpoint & Omit<z.output<typeof sftpBranch>, 'password' | 'privateKey' | 'passphrase'>;

export const sftpConfig: Omit<TransportDef<SftpConfig, typeof sftpBranch>, 'open'> = {
  protocol: 'sftp',
  branch: sftpBranch,
  secrets: ['password', 'privateKey', 'passphrase'],
  check(values, c) {
    requireLogin('sftp', c, 'orPrivateKey');
    if (values.directory !== undefined) checkRemoteDirectory(values.directory as string, c);
  },
  settle: (values) => portOr(values, SFTP_PORT),
};
