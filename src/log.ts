// The pino root logger. Structured JSON lines; secrets are redacted; student names are never logged.

import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = ['password', 'passphrase', 'token', 'privateKey', '*.password', '*.passphrase', '*.token', '*.privateKey'];

export function createLogger(level: string, destination: pino.DestinationStream | number = 2): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino({ level, base: { app: 'fram-import' }, redact: { paths: REDACT, censor: '[redacted]' } }, dest);
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
