// IC's Test Connection (SPEC 3): one attempt, so the diagnosis says what happened rather than retrying it away.

import { testConnection, type ConnectionReport } from '../import/test-connection.js';
import type { Kit } from './deps.js';
import { findImport } from './imports.js';

export function createConnection(kit: Kit) {
  return {
    test(importName: string): Promise<ConnectionReport> {
      const imp = findImport(kit.deps.config(), kit.deps.settings.configDir, importName);
      return testConnection(imp, kit.deps.connect('probe'));
    },
  };
}
