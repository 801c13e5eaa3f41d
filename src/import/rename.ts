// The processed-file name (SPEC 6.7): P_IC_Eligibility_<YYYYMMDDHHmmss> + the rest of the name.

const BASE = 'IC_Eligibility';

/** YYYYMMDDHHmmss of `at` in the IANA zone `tz`. */
export function stamp(at: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}${get('month')}${get('day')}${get('hour')}${get('minute')}${get('second')}`;
}

/**
 * `IC_Eligibility_north.csv` -> `P_IC_Eligibility_20261122010000_north.csv`. `attempt` > 1 makes the
 * name unique when the first choice is taken: `P_IC_Eligibility_20261122010000-2_north.csv`.
 */
export function processedName(name: string, at: Date, tz: string, attempt = 1): string {
  const rest = name.startsWith(BASE) ? name.slice(BASE.length) : `_${name}`;
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const head = `P_IC_Eligibility_${stamp(at, tz)}${suffix}`;
  return head + fitted(rest, MAX_NAME_BYTES - bytes(head));
}

/** Longest name one path component may have on the servers we talk to. */
export const MAX_NAME_BYTES = 255;

const MARK = '~';

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The first characters of `s` that fit in `max` bytes (whole code points only). */
function headOf(s: string, max: number): string {
  let out = '';
  for (const c of s) {
    if (bytes(out + c) > max) break;
    out += c;
  }
  return out;
}

/**
 * `rest` as is when it fits in `max` bytes; else shortened in the middle, keeping its extension and
 * its two ends joined by `~`. The same name always gives the same result.
 */
function fitted(rest: string, max: number): string {
  if (bytes(rest) <= max) return rest;
  const dot = rest.lastIndexOf('.');
  const ext = dot > 0 && rest.length - dot <= 16 ? rest.slice(dot) : '';
  const stem = [...(ext ? rest.slice(0, dot) : rest)];
  const room = max - bytes(ext) - MARK.length;
  const front = headOf(stem.join(''), Math.ceil(room / 2));
  const back = [...headOf([...stem].reverse().join(''), room - bytes(front))].reverse().join('');
  return `${front}${MARK}${back}${ext}`;
}
