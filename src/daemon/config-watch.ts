// Watches the config dir (SPEC 10): a valid change takes effect without a restart; an invalid one is
// refused with a logged error and the config in force stays. Polls a cheap signature (names, sizes,
// modified times) every couple of seconds: it works the same on bind mounts and network volumes,
// where inotify events can be missing.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import type { Logger } from '../log.js';

/** Names, sizes and modified times of the YAML files under the config dir. */
export function configSignature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 2) walk(p, depth + 1);
      else if (/\.ya?ml$/i.test(e.name)) {
        try {
          const s = statSync(p);
          parts.push(`${p}:${s.size}:${s.mtimeMs}`);
        } catch {
          // gone between readdir and stat: the next poll sees the new state
        }
      }
    }
  };
  walk(dir, 0);
  return parts.join('\n');
}

export interface ConfigWatch {
  stop(): void;
  /** Problems of the config dir as last read (empty when it was valid). */
  problems(): string[];
}

export function watchConfig(dir: string, onChange: (config: Config) => void, log: Logger, pollMs = 2000): ConfigWatch {
  let signature = configSignature(dir);
  let problems: string[] = [];
  const timer = setInterval(() => {
    const now = configSignature(dir);
    if (now === signature) return;
    signature = now;
    const result = loadConfig(dir);
    if (!result.config) {
      problems = result.problems;
      log.error({ problems: result.problems, inForce: 'previous config' }, 'config:invalid');
      return;
    }
    problems = [];
    log.info({ imports: [...result.config.imports.keys()] }, 'config:reloaded');
    onChange(result.config);
  }, pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer), problems: () => problems };
}
