// Global set-up of the projects that run the built CLI (`node dist/cli/bin.js`): refuses to start
// when a file of src/ changed after its dist/ counterpart was built, since those tests would then
// test old code. `npm test` builds first; by hand: `npx tsc -p tsconfig.json`.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Each src/**\/*.ts whose dist/**\/*.js is missing or older, as `src/x.ts`. */
export function staleBuilds(root = ROOT): string[] {
  const src = join(root, 'src');
  const stale: string[] = [];
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const built = join(root, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) stale.push(relative(root, file));
  }
  return stale.sort();
}

export default function setup(): void {
  const stale = staleBuilds();
  if (stale.length) {
    throw new Error(
      `dist/ is older than src/ (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? `, and ${stale.length - 5} more` : ''}` +
        ' changed since the last build): run npx tsc -p tsconfig.json',
    );
  }
}
