// The service layer: what every entry point (serve, each CLI command, the bench, the tests) calls.
// Commands and routes parse their input, call one service and print or answer; the rules live here
// or in the domain. `openServices` (open.ts) builds the dependencies for a process.

import { createKit, type ServiceDeps } from './deps.js';
import { createImports } from './imports.js';
import { createRuns } from './runs.js';
import { createQueue } from './queue.js';
import { createStudents } from './students.js';
import { createEligibility } from './eligibility.js';
import { createLogs } from './logs.js';
import { createRevert } from './revert.js';
import { createFiles } from './files.js';
import { createConnection } from './connection.js';
import { createBackup } from './backup.js';
import { createConfigCheck } from './config.js';
import { createDaemonServices } from './daemon.js';

export function createServices(deps: ServiceDeps) {
  const kit = createKit(deps);
  return {
    imports: createImports(kit),
    runs: createRuns(kit),
    queue: createQueue(kit),
    students: createStudents(kit),
    eligibility: createEligibility(kit),
    logs: createLogs(kit),
    revert: createRevert(kit),
    files: createFiles(kit),
    connection: createConnection(kit),
    backup: createBackup(kit),
    config: createConfigCheck(kit),
    daemon: createDaemonServices(kit),
  };
}

export type Services = ReturnType<typeof createServices>;
export type { Clock, ConnectPurpose, LoadedConfig, ServiceDeps } from './deps.js';
export { Refusal, type RefusalReason } from './refusal.js';
