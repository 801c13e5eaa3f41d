// Keys of an import file that several protocols share, and the checks of a remote directory. Each
// protocol's branch (sftp-config.ts, ftps-config.ts, smb-config.ts) is built from these.

import { z } from 'zod';
import type { ConfigCheck } from './transport.js';

export const HOST = z.string().trim().min(1).regex(/^\S+$/, { error: 'must not contain spaces' }).optional();
export const PORT = z.number().int().min(1).max(65535).optional();
export const USERNAME = z.string().trim().min(1).optional();
/** A secret's reference: config/import.ts checks it as `{ env }` / `{ file }` (never inline), the caller reads it. */
export const SECRET = z.unknown();

/**
 * What every remote protocol needs: host, username and a password (sftp: or a privateKey); and a
 * passphrase means something only with a privateKey.
 */
export function requireLogin(protocol: string, c: ConfigCheck, password: 'required' | 'orPrivateKey' = 'required'): void {
  if (!c.given('host')) c.add(['host'], `required for protocol ${protocol}`);
  if (!c.given('username')) c.add(['username'], `required for protocol ${protocol}`);
  if (password === 'orPrivateKey' && !c.given('password') && !c.given('privateKey')) {
    c.add(['password'], `required for ${protocol} unless privateKey is given`);
  }
  if (password === 'required' && !c.given('password')) c.add(['password'], `required for protocol ${protocol}`);
  if (c.given('passphrase') && !c.given('privateKey')) c.add(['passphrase'], 'only used with privateKey');
}

/** Remote directories: relative to the login folder, at most 100 characters, `/` or `\` between folders. */
export function checkRemoteDirectory(dir: string, c: ConfigCheck): void {
  const at = ['directory'];
  if (dir.length > 100) c.add(at, 'must be at most 100 characters');
  if (/^[/\\]/.test(dir)) c.add(at, 'must be relative to the login folder: no leading / or \\');
  if (/^[A-Za-z]:/.test(dir)) c.add(at, 'must not start with a drive letter');
  if (dir.split(/[/\\]/).some((seg) => seg.trim() === '..')) c.add(at, "must not contain a '..' folder");
  if (/[\u0000-\u001f]/.test(dir)) c.add(at, 'must not contain control characters');
}

/** The port a file gives, else the protocol's own. */
export const portOr = (values: Readonly<Record<string, unknown>>, port: number): { port: number } => ({
  port: (values.port as number | undefined) ?? port,
});
