// Layering of STYLE.md ("Imports point inward"), checked by `npm run lint` (depcruise src).
// Type-only imports count: a type pulled from the wrong layer couples the layers as much as a value.

/** The concrete transports: one file per protocol plus its helpers (sftp-errors.ts, smb-parse.ts, ...). */
const CONCRETE_TRANSPORT = '^src/transports/(local|sftp|ftps|smb)[^/]*[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain/ imports nothing of the project but itself (no catalog, no store, no config).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'domain-no-io',
      comment: 'src/domain/ does no I/O: time, files and the network are parameters.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|tls|http|https|child_process|dgram|os)$' },
    },
    {
      name: 'report-is-pure',
      comment: 'src/report/ renders a RunReport: no store, no import run, no transports, no file system, no SQLite.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: ['^src/(store|import|transports)/', '^(node:)?fs(/promises)?$', 'better-sqlite3'] },
    },
    {
      name: 'only-composition-picks-transports',
      comment:
        'Only src/main.ts, src/services/ and the registry src/transports/index.ts import a concrete transport ' +
        "(a transport's own helper files may import each other).",
      severity: 'error',
      from: { pathNot: ['^src/main[.]ts$', '^src/services/', '^src/transports/index[.]ts$', CONCRETE_TRANSPORT] },
      to: { path: CONCRETE_TRANSPORT },
    },
    {
      name: 'import-knows-only-the-port',
      comment: 'src/import/ knows the Transport interface, never a concrete transport (STYLE.md).',
      severity: 'error',
      from: { path: '^src/import/' },
      to: { path: CONCRETE_TRANSPORT },
    },
    {
      name: 'sqlite-only-in-store',
      comment: 'better-sqlite3 is imported only under src/store/.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: 'better-sqlite3' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (a cycle makes the two modules one layer).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves, so no rule above is dodged by an import the tool cannot follow.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
