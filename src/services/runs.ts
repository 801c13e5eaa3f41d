// Running an import now (CLI `run`, the daemon's worker, the bench, the tests): the one place a
// run's context is built from the process's store, config, transports, clock and log.

import { runImport, type RunContext, type RunRequest, type RunResult } from '../import/run-import.js';
import { createFileDecisions } from '../store/file-decisions.js';
import type { ImportConfig } from '../config.js';
import type { Kit } from './deps.js';
import { findImport, validConfig } from './imports.js';
import { Refusal } from './refusal.js';

export function createRuns(kit: Kit) {
  const { deps } = kit;

  function context(): RunContext {
    return {
      db: kit.db(),
      config: validConfig(deps.config(), deps.settings.configDir),
      dataDir: deps.settings.dataDir,
      tz: deps.settings.tz,
      connect: deps.connect('run'),
      log: deps.log,
      now: () => deps.clock.now(),
      sleep: (ms) => deps.clock.sleep(ms),
      signal: deps.signal,
      storeWaitMs: deps.waitMs,
    };
  }

  /**
   * `--approve-changes` approves the one file the import holds: with none or several held the request
   * is refused before the run (a file is then approved by its SHA-256, `approve`).
   */
  function requireOneHeld(imp: ImportConfig): void {
    const held = createFileDecisions(kit.db()).undecided(imp.name, 'approved');
    if (held.length === 1) return;
    throw new Refusal(
      held.length === 0
        ? 'no file of this import is held for approval'
        : `${held.length} files are held: approve one by its SHA-256 (approve <import> <sha256-prefix>)`,
      {
        reason: 'conflict',
        details: held.map((f) => `${f.key.slice(0, 12)}  ${JSON.stringify(f.name)}  (run ${f.runId})`),
      },
    );
  }

  function start(req: RunRequest): Promise<RunResult> {
    const imp = findImport(deps.config(), deps.settings.configDir, req.importName);
    return runImport(context(), { ...req, importName: imp.name });
  }

  return {
    /**
     * A run a person asks for now (CLI `run`, the API), of the import named (ignoring case). Its
     * outcome is in the store; its report is `logs.report(runId)`.
     */
    async run(req: RunRequest): Promise<RunResult> {
      if (req.approveChanges && !req.test) requireOneHeld(findImport(deps.config(), deps.settings.configDir, req.importName));
      return start(req);
    },

    /**
     * A run whose request was checked when it was made: the daemon's worker (schedules, the batch
     * queue) and the tests of the run itself. With --approve-changes and no single held file, the run
     * approves nothing and holds what it holds.
     */
    execute: start,
  };
}
