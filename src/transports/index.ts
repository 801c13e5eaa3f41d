// The registry of protocols: the only place that picks a concrete transport.

import type { ImportConfig } from '../config.js';
import { connectLocal } from './local.js';
import type { Transport } from './transport.js';

export type Connect = (imp: ImportConfig) => Promise<Transport>;

const protocols: Partial<Record<ImportConfig['protocol'], Connect>> = {
  local: (imp) => connectLocal(imp.directory),
};

export const connect: Connect = async (imp) => {
  const open = protocols[imp.protocol];
  if (!open) throw new Error(`protocol '${imp.protocol}' is not available in this build`);
  return open(imp);
};
