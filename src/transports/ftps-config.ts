// The `ftps` protocol's keys of an import file (SPEC 4): its branch of the import schema.

import path from 'node:path';
import { z } from 'zod';
import { HOST, PORT, SECRET, USERNAME, checkRemoteDirectory, portOr, requireLogin } from './fields.js';
import type { Endpoint, TransportDef } from './transport.js';

export const FTPS_PORTS = { implicit: 990, explicit: 21 } as const;

export const ftpsBranch = z.object({
  protocol: z.literal('ftps'),
  host: HOST,
  port: PORT,
  username: USERNAME,
  password: SECRET,
  ftpsMode: z.enum(['implicit', 'explicit']).optional(),
  caFile: z.string().trim().min(1).optional(),
  /** Lower-case hex, no colons. */
  certSha256: z
    .string()
    .trim()
    .transform((s) =>
      s
        .replace(/^(sha256\s+)?fingerprint=/i, '')
        .replace(/:/g, '')
        .toLowerCase(),
    )
    .refine((s) => /^[0-9a-f]{64}$/.test(s), { error: 'must be a SHA-256 fingerprint: 32 bytes in hex, with or without colons' })
    .optional(),
  insecureTls: z.boolean().default(false),
});

/** An ftps import as the transport reads it (its password comes apart, as a value). */
export type FtpsConfig = Endpoint & Omit<z.output<typeof ftpsBranch>, 'password'>;

export const ftpsConfig: Omit<TransportDef<FtpsConfig, typeof ftpsBranch>, 'open'> = {
  protocol: 'ftps',
  branch: ftpsBranch,
  secrets: ['password'],
  check(values, c) {
    requireLogin('ftps', c);
    if (values.directory !== undefined) checkRemoteDirectory(values.directory as string, c);
  },
  settle(values, configDir) {
    const ftpsMode = (values.ftpsMode as FtpsConfig['ftpsMode']) ?? 'implicit';
    const caFile = values.caFile as string | undefined;
    return {
      ...portOr(values, FTPS_PORTS[ftpsMode]),
      ftpsMode,
      ...(caFile !== undefined ? { caFile: path.resolve(configDir, caFile) } : {}),
    };
  },
};
