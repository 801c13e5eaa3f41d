import type { ConnectionReport } from '../import/test-connection.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

function render(r: ConnectionReport): string {
  const where =
    r.protocol === 'local' ? `folder ${r.directory}` : `${r.protocol}://${r.user}@${r.host}:${r.port} directory '${r.directory}'`;
  const out = [`Test Connection: ${r.import} (${where})`];
  if (r.paused)
    out.push("Note: the host starts with '**', so scheduled and manual runs are paused; tested against the real host.");
  if (r.peer)
    out.push(
      `${r.peer.kind === 'host key' ? 'Host key' : 'Certificate'}: ${r.peer.fingerprint}${r.peer.detail ? ` (${r.peer.detail})` : ''}`,
    );
  if (r.error) {
    out.push(`FAILED (${r.error.kind}): ERROR ${r.error.code} - ${r.error.text}`);
    if (r.error.hint) out.push(`Hint: ${r.error.hint}`);
  } else {
    out.push(`OK: ${r.fileCount} file(s) in the directory, ${r.waiting.length} waiting to import`);
    for (const f of r.waiting) out.push(`  ${f.name}  ${f.size} bytes  ${f.mtime.toISOString()}`);
  }
  return `${out.join('\n')}\n`;
}

export const testConnectionCommand: Command = {
  name: 'test-connection',
  usage: 'test-connection <import> [--json]',
  summary:
    "Connects, lists the directory, counts the waiting IC_Eligibility* files and shows the server's fingerprint, or names the failure.",
  options: {},
  async run(args, _values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected exactly one import name (quote names with spaces)');
    const report = await withServices(flags, io, { store: 'read' }, (s) => s.connection.test(args[0]));
    io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
    return report.ok ? 0 : 1;
  },
};
