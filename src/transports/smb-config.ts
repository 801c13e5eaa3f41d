// The `smb` protocol's keys of an import file (SPEC 4): its branch of the import schema.

import { z } from 'zod';
import { HOST, PORT, SECRET, USERNAME, checkRemoteDirectory, portOr, requireLogin } from './fields.js';
import type { Endpoint, TransportDef } from './transport.js';

export const SMB_PORT = 445;

export const smbBranch = z.object({
  protocol: z.literal('smb'),
  host: HOST,
  port: PORT,
  username: USERNAME,
  password: SECRET,
  domain: z.string().trim().min(1).optional(),
});

/** An smb import as the transport reads it (its password comes apart, as a value). */
export type SmbConfig = Endpoint & Omit<z.output<typeof smbBranch>, 'password'>;

const SHARE_REQUIRED = 'required for smb: the first folder is the share name';

export const smbConfig: Omit<TransportDef<SmbConfig, typeof smbBranch>, 'open'> = {
  protocol: 'smb',
  branch: smbBranch,
  secrets: ['password'],
  check(values, c) {
    requireLogin('smb', c);
    const dir = values.directory as string | undefined;
    if (dir === undefined) {
      if (!c.failed('directory')) c.add(['directory'], SHARE_REQUIRED);
      return;
    }
    checkRemoteDirectory(dir, c);
    if (dir.replace(/^[/\\]+/, '') === '') c.add(['directory'], SHARE_REQUIRED);
    // smbclient reads its commands with ; as a separator and " as a quote: such a folder cannot be passed safely.
    if (/[";]/.test(dir)) c.add(['directory'], 'must not contain " or ; for smb');
  },
  settle: (values) => portOr(values, SMB_PORT),
};
