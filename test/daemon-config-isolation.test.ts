// Config isolation on a real `fram-import serve` (issue 9, findings 8, 11 and 20; acceptance 4):
// an invalid file at start disables only its import; one that appears while the daemon runs is
// logged, its import keeps its previous config, and every import still runs by hand. A bad entry
// in the tokens file leaves the other tokens working. /readyz stays 200 and, with a token, says why.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheus from 'parse-prometheus-text-format';
import { writeEligibility } from '../src/bench/generate.js';
import { hashToken } from '../src/web/tokens.js';
import { createQueueStore } from '../src/store/queue.js';
import { createSite, localImport, serve, type LogLine, type ServeProcess, type Site } from './helpers/daemon.js';
import { cli as cliInProcess } from './helpers/cli-in-process.js';

const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

/** The CLI in this process, next to the daemon's process. */
const cli = (site: Site, ...args: string[]) => cliInProcess(args, site.env({ FRAM_LOG_LEVEL: 'silent' }));

/** Nine levels of ten aliases each. */
const BOMB = [
  'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
  ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
].join('\n');

const TOKEN = 'readyz-token-4b7e19';
const C_PROBLEM = "imports/c.yaml: filePrefix: must not start with 'P_' (imported files are renamed to P_...)";

interface Ready {
  status: string;
  problems: string[];
  disabled?: Record<string, string[]>;
  previousConfig?: Record<string, string[]>;
  more?: string;
}

describe('fram-import serve with an invalid config file', () => {
  it('disables only what an invalid file touches, keeps the previous config of a running import, and runs the others', async () => {
    const site = createSite(150);
    const drops = { a: join(site.drop, 'a'), b: join(site.drop, 'b') };
    for (const d of Object.values(drops)) mkdirSync(d);
    site.writeImport('a', localImport('Nightly A', drops.a));
    site.writeImport('b', localImport('Nightly B', drops.b));
    site.writeImport('c', localImport('Broken C', site.drop, 'filePrefix: P_IC\n'));
    const tokens = join(site.dir, 'tokens.yaml');
    writeFileSync(
      tokens,
      [
        `- { name: ops, role: superuser, sha256: ${hashToken('other-token')} }`,
        `- { name: prometheus, role: viewer, sha256: ${hashToken(TOKEN)} }`,
        '',
      ].join('\n'),
    );

    const daemon = await serve(site, { FRAM_API_TOKENS_FILE: tokens, FRAM_TZ: 'UTC' });
    running.push(daemon);
    const base = `http://127.0.0.1:${daemon.port}`;
    const ready = async (token?: string) => {
      const res = await fetch(`${base}/readyz`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      return { code: res.status, body: (await res.json()) as Ready };
    };

    // At start: C is disabled and said so; A and B are in force; the bad token entry is named, without its hash.
    const startInvalid = daemon.lines.filter((l) => l.msg === 'config:invalid');
    expect(startInvalid).toEqual([
      expect.objectContaining({
        file: 'imports/c.yaml',
        problems: [C_PROBLEM],
        disabled: ['Broken C'],
        previousConfig: [],
      }),
    ]);
    expect(daemon.lines.find((l) => l.msg === 'daemon:start')?.imports).toEqual(['Nightly A', 'Nightly B']);
    const badToken = daemon.lines.filter((l) => l.msg === 'tokens:invalid');
    expect(badToken).toEqual([
      expect.objectContaining({ entry: 1, name: 'ops', problem: 'role must be one of viewer, operator, admin' }),
    ]);
    expect(JSON.stringify(daemon.lines)).not.toContain(hashToken('other-token'));

    const open = await ready();
    expect(open).toEqual({ code: 200, body: { status: 'ready', problems: [], more: expect.stringContaining('valid token') } });
    const withToken = await ready(TOKEN);
    expect(withToken.code).toBe(200);
    expect(withToken.body.disabled).toEqual({ 'Broken C': [C_PROBLEM] });
    expect(withToken.body.previousConfig).toEqual({});
    expect(withToken.body.problems).toEqual([
      C_PROBLEM,
      `${tokens}: entry 1 ('ops'): role must be one of viewer, operator, admin`,
    ]);

    // While it runs, A's file turns into an alias bomb: logged, A keeps its previous config, the daemon stays up.
    writeFileSync(join(site.configDir, 'imports/a.yaml'), `name: Nightly A\n${BOMB}\n`);
    const invalid = await daemon.waitFor((l) => l.msg === 'config:invalid' && l.file === 'imports/a.yaml');
    expect(invalid).toMatchObject({ previousConfig: ['Nightly A'], disabled: [] });
    expect((invalid.problems as string[])[0]).toMatch(/^imports\/a\.yaml: uses YAML aliases \(\*name\) more than 100 times/);
    const reloaded = await daemon.waitFor((l) => l.msg === 'config:reloaded');
    expect(reloaded).toMatchObject({
      imports: ['Nightly B', 'Nightly A'],
      previousConfig: ['Nightly A'],
      disabled: ['Broken C'],
    });
    const during = await ready(TOKEN);
    expect(during.code).toBe(200);
    expect(Object.keys(during.body.previousConfig!)).toEqual(['Nightly A']);
    expect(during.body.previousConfig!['Nightly A'][0]).toMatch(/^imports\/a\.yaml: uses YAML aliases/);

    // Both still run by hand. B through the CLI, which works for a valid import while another file is invalid
    // (and refuses the disabled C). A's file cannot be read by the CLI now, so A's entry is queued as the page
    // or the API would queue it; the daemon runs it with A's previous config. The worker looks at the queue at
    // least every 15 s.
    writeEligibility(join(drops.a, 'IC_Eligibility_a.csv'), 100);
    writeEligibility(join(drops.b, 'IC_Eligibility_b.csv'), 120);
    const submitB = await cli(site, 'submit', 'Nightly B', '--at', new Date().toISOString());
    expect(submitB.code, submitB.err).toBe(0);
    expect((await cli(site, 'submit', 'Broken C', '--at', new Date().toISOString())).code).toBe(2);
    const db = site.db();
    try {
      const at = new Date().toISOString();
      createQueueStore(db).submit({
        import: 'Nightly A',
        runAt: at,
        highPriority: false,
        keep: false,
        test: false,
        submittedBy: 'test',
        submittedAt: at,
      });
    } finally {
      db.close();
    }
    const finished = (name: string) => (l: LogLine) => l.msg === 'run:finish' && l.import === name;
    expect(await daemon.waitFor(finished('Nightly B'), 60_000)).toMatchObject({ status: 'Successful', new: 120 });
    // A's 100 lines are B's first 100 (one generator): already in the store, so existing.
    expect(await daemon.waitFor(finished('Nightly A'), 60_000)).toMatchObject({
      status: 'Successful',
      new: 0,
      existing: 100,
      errors: 0,
    });
    expect(readdirSync(drops.a)).toEqual([expect.stringMatching(/^P_IC_Eligibility_\d{14}_a\.csv$/)]);
    expect(readdirSync(drops.b)).toEqual([expect.stringMatching(/^P_IC_Eligibility_\d{14}_b\.csv$/)]);
    expect(daemon.lines.filter((l) => l.msg === 'run:crashed')).toEqual([]);

    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const valid = parsePrometheus(await metrics.text()).find((f) => f.name === 'fram_config_valid');
    expect(valid?.metrics).toEqual([{ value: '0' }]);
    // The bad entry's token does not get in anywhere.
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer other-token' } })).status).toBe(401);

    // Fixing both files brings C in and A's new config into force; the daemon never stopped.
    site.writeImport('a', localImport('Nightly A', drops.a, 'includeUpdatedRecords: false\n'));
    site.writeImport('c', localImport('Broken C', site.drop));
    const fixed = await daemon.waitFor((l) => l.msg === 'config:reloaded' && !l.previousConfig && !l.disabled);
    expect(fixed.imports).toEqual(['Nightly A', 'Nightly B', 'Broken C']);
    const after = await ready(TOKEN);
    expect(after.body).toEqual({
      status: 'ready',
      problems: [`${tokens}: entry 1 ('ops'): role must be one of viewer, operator, admin`],
      disabled: {},
      previousConfig: {},
    });
    expect(daemon.child.exitCode).toBeNull();

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    const runs = JSON.parse((await cli(site, 'logs', '--json')).out) as { import: string; status: string }[];
    expect(runs.map((r) => [r.import, r.status]).sort()).toEqual([
      ['Nightly A', 'Successful'],
      ['Nightly B', 'Successful'],
    ]);
  }, 150_000);
});
