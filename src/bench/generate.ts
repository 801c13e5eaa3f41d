// Synthetic, deterministic bench data: N students and one eligibility line per student, written as
// streams of small chunks (never a whole file as one string). Every field of student i is a pure
// function of i, so the roster, the store and the file agree without keeping N students in memory.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Student } from '../store/students.js';

/** A 32-bit integer hash (murmur3's finalizer): the bench's only source of "randomness". */
function hash(i: number, salt: number): number {
  let h = Math.imul(i ^ Math.imul(salt, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const LAST = [
  'Alvarez',
  'Baker',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Santos',
  'Takahashi',
  'Underwood',
  'Varga',
  'Whitfield',
  'Xu',
  'Yilmaz',
  'Zimmer',
  "O'Brien",
  'Nguyen',
  'Smith',
  'Johnson',
];
const FIRST = [
  'Ava',
  'Liam',
  'Mia',
  'Noah',
  'Sofia',
  'Ethan',
  'Isla',
  'Mateo',
  'Zoe',
  'Lucas',
  'Chloe',
  'Owen',
  'Amara',
  'Elias',
  'Nora',
  'Kai',
  'Leah',
  'Jonah',
  'Maya',
  'Theo',
  'Ruby',
  'Felix',
  'Ivy',
  'Omar',
  'Hazel',
];
const SCHOOLS = ['Lincoln Elementary', 'Roosevelt Middle', 'Washington High'];
const GRADES = ['K', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];

/** Unique 10-digit State IDs: x -> 7654321x + 12345 is a bijection mod 10^10 (7654321 is prime to 10). */
export function stateIdOf(i: number): string {
  return String(((i + 1) * 7_654_321 + 12_345) % 10_000_000_000).padStart(10, '0');
}

export function studentOf(i: number): Student {
  const g = hash(i, 1) % GRADES.length;
  const born = 2020 - g;
  const month = 1 + (hash(i, 2) % 12);
  const day = 1 + (hash(i, 3) % 28);
  return {
    stateId: stateIdOf(i),
    studentNumber: String(1_000_000 + i),
    lastName: LAST[hash(i, 4) % LAST.length],
    firstName: FIRST[hash(i, 5) % FIRST.length],
    birthDate: `${born}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    school: SCHOOLS[g <= 5 ? 0 : g <= 8 ? 1 : 2],
    grade: GRADES[g],
  };
}

export function* students(n: number): Generator<Student> {
  for (let i = 0; i < n; i++) yield studentOf(i);
}

/** Collects lines and writes them in ~64 KiB chunks. */
class ChunkWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.parts.length) writeSync(this.fd, this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writeRoster(path: string, n: number): void {
  const w = new ChunkWriter(path);
  w.line('stateId,studentNumber,lastName,firstName,birthDate,school,grade');
  for (const s of students(n)) {
    w.line([s.stateId, s.studentNumber, s.lastName, s.firstName, s.birthDate ?? '', s.school, s.grade].map(csvField).join(','));
  }
  w.close();
}

/**
 * POS code, eligibility spellings (long, short), application name, share in 1000. Mostly SNAP direct
 * certification; the rest other direct types and applications (Free, Reduced, Paid, verification).
 */
const MIX: [code: string, elig: [string, string][], app: string | null, perMille: number][] = [
  ['SNAP', [['Free', 'F']], null, 560],
  ['TANF', [['Free', 'F']], null, 80],
  ['MEDF', [['Free', 'F']], null, 40],
  ['MEDR', [['Reduced', 'R']], null, 30],
  ['FDPIR', [['Free', 'F']], null, 10],
  ['FOST', [['Free', 'F']], null, 15],
  ['HMLS', [['Free', 'F']], null, 15],
  ['APPF', [['Free', 'F']], 'Online 2026-27', 110],
  ['APPR', [['Reduced', 'R']], 'Paper 2026-27', 80],
  ['APPS', [['Paid', 'P']], 'Online 2026-27', 40],
  [
    'VER',
    [
      ['Free', 'F'],
      ['Reduced', 'R'],
      ['Paid', 'P'],
    ],
    'Verification 2026-27',
    20,
  ],
];
const MIX_BY_MILLE: (typeof MIX)[number][] = MIX.flatMap((m) => Array<(typeof MIX)[number]>(m[3]).fill(m));

/** School days' dates from 8/3/2026 to 5/28/2027, written M/D/YYYY and MM/DD/YYYY. */
const DAYS: [short: string, padded: string][] = [];
for (let t = Date.UTC(2026, 7, 3); t <= Date.UTC(2027, 4, 28); t += 86_400_000) {
  const d = new Date(t);
  const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  DAYS.push([`${m}/${dd}/${y}`, `${String(m).padStart(2, '0')}/${String(dd).padStart(2, '0')}/${y}`]);
}

export const ELIGIBILITY_HEADER =
  'State ID,Last Name,First Name,Start Date,End Date,Eligibility,Certified Type,Application,Reference';

/** The eligibility line of student i, in the demo mapping's column layout. */
export function eligibilityLine(i: number, endDateOverride?: string): string {
  const s = studentOf(i);
  const [code, eligs, app] = MIX_BY_MILLE[hash(i, 6) % 1000];
  const elig = eligs[hash(i, 7) % eligs.length][hash(i, 8) % 4 === 0 ? 1 : 0];
  // Half start on the first day of school, the rest over the year; one in ten pads M and D.
  const day = DAYS[hash(i, 9) % 2 === 0 ? 0 : hash(i, 10) % DAYS.length];
  const padded = hash(i, 11) % 10 === 0;
  const start = padded ? day[1] : day[0];
  const end = endDateOverride ?? (padded ? '06/30/2027' : '6/30/2027');
  // One in 200 last names has a suffix after a comma, so the field is quoted.
  const last = hash(i, 12) % 200 === 0 ? `"${s.lastName}, Jr."` : s.lastName;
  const n = String(hash(i, 13) % 1_000_000).padStart(6, '0');
  const ref = app === null ? `DC-${n}` : code === 'VER' ? `V-${n}` : `A-${n}`;
  return `${s.stateId},${last},${s.firstName},${start},${end},${elig},${code},${app ?? ''},${ref}`;
}

/**
 * The file's order is not the roster's: line j is student (j * step) mod n, with step prime to n,
 * as a POS export sorted by its own key would be.
 */
function fileOrder(n: number): (j: number) => number {
  let step = Math.max(1, Math.floor(n * 0.618));
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(step, n) !== 1) step++;
  // (j * step) can pass 2^53 for huge n; split the product so it stays exact.
  return (j) => (((((Math.floor(j / 1024) * step) % n) * 1024) % n) + (((j % 1024) * step) % n)) % n;
}

/** Writes the eligibility file: a header and one line per student; `lastEndDate` changes the last line's End Date. */
export function writeEligibility(path: string, n: number, lastEndDate?: string): void {
  const w = new ChunkWriter(path);
  const order = fileOrder(n);
  w.line(ELIGIBILITY_HEADER);
  for (let j = 0; j < n; j++) w.line(eligibilityLine(order(j), j === n - 1 ? lastEndDate : undefined));
  w.close();
}
