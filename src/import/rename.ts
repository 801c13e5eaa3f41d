// The processed-file name (SPEC 6.7): P_IC_Eligibility_<YYYYMMDDHHmmss> + the rest of the name.

const BASE = 'IC_Eligibility';

/** YYYYMMDDHHmmss of `at` in the IANA zone `tz`. */
export function stamp(at: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
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
  return `P_IC_Eligibility_${stamp(at, tz)}${suffix}${rest}`;
}
