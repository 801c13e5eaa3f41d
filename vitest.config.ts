import { defineConfig } from 'vitest/config';

// Three projects (run one with `npx vitest run --project unit`):
// - unit: domain, report, config, scheduler, store and in-process CLI tests on temporary SQLite
//   files. No root, no servers, no built dist/, no global set-up: any developer can run it.
// - servers: the transports against real SFTP/FTPS/SMB servers started on 127.0.0.1; needs root
//   (system users, chown, chattr). One spawned CLI per protocol, so dist/ must be fresh.
// - process: real child processes (the daemon, kill -9, SIGTERM, PID namespaces, RSS, file modes).
// A test file in neither list below is a unit test.
const SERVERS = [
  'hostile-server',
  'transport-contract-ftps',
  'transport-contract-local',
  'transport-contract-sftp',
  'transport-contract-smb',
  'transport-ftps',
  'transport-limits',
  'transport-local',
  'transport-sftp',
  'transport-smb',
];
const PROCESS = [
  'config-hostile-process',
  'crash-points',
  'daemon-config-isolation',
  'daemon-process',
  'file-modes',
  'run-lock',
  'shutdown-download',
  'store-busy',
];

const files = (names: string[]) => names.map((n) => `test/${n}.test.ts`);

// The server and process tests mostly wait on sockets, child processes and timers, so more of
// them run at once than there are cores (measured on 2 cores: 4 was the fastest; see the issue 10
// note). One number for all projects: vitest runs projects with different worker counts one
// after the other, and the unit files are short enough to share the pool.

export default defineConfig({
  test: {
    // Test servers start in a second or two; a real import over the network takes a few more.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 4,
    coverage: {
      provider: 'v8',
      include: ['src/domain/**', 'src/report/**'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'src/domain/**': { lines: 95 },
        'src/report/**': { lines: 90 },
      },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...files(SERVERS), ...files(PROCESS)],
          // The files of a worker share one module cache: most of a unit file's time was loading src/
          // anew. What they change of the process (the umask 077 of a CLI write, fake timers, which
          // are restored) no unit test depends on.
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'servers', include: files(SERVERS), globalSetup: ['test/setup/dist-fresh.ts', 'test/global-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'process', include: files(PROCESS), globalSetup: ['test/setup/dist-fresh.ts', 'test/global-setup.ts'] },
      },
    ],
  },
});
