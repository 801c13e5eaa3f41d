// A string -> integer table for a million keys without a million strings. Loading reads keys as
// ranges of a source string (a page of keys read from SQLite in one piece), so it allocates no
// string per key. Lookups are exact. A key of 1 to 14 digits (most State IDs) is held as a number,
// so a lookup costs one cache miss; other keys are found by hash and compared character by character.

/** A key of 1-14 digits as a number, unique per digit string (leading zeros count); -1 for any other key. */
function digitCode(s: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 14) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return length * 1e14 + value; // < 2^53: exact
}

function hashCode(code: number): number {
  const h = Math.imul((code % 0x100000000) ^ Math.imul(Math.floor(code / 0x100000000), 0x9e3779b1), 0x85ebca6b);
  return Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ (h >>> 16);
}

/** FNV-1a over s[start, end). */
function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const capacityFor = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(16, n) * 2));

/** Digit keys: [code, value] per slot, code 0 for an empty slot. */
class DigitTable {
  slots: Float64Array;
  count = 0;
  constructor(expected: number) {
    this.slots = new Float64Array(capacityFor(expected) * 2);
  }

  /** The slot holding code, or the empty slot where it would go. */
  slotOf(code: number): number {
    const mask = (this.slots.length >> 1) - 1;
    let slot = hashCode(code) & mask;
    for (let c = this.slots[slot * 2]; c !== 0 && c !== code; c = this.slots[slot * 2]) slot = (slot + 1) & mask;
    return slot;
  }

  set(code: number, value: number): number {
    const slot = this.slotOf(code);
    if (this.slots[slot * 2] === code) {
      const old = this.slots[slot * 2 + 1];
      this.slots[slot * 2 + 1] = value;
      return old;
    }
    this.slots[slot * 2] = code;
    this.slots[slot * 2 + 1] = value;
    if (++this.count * 2 > this.slots.length >> 1) this.grow();
    return -1;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const slot = this.slotOf(old[i]);
      this.slots[slot * 2] = old[i];
      this.slots[slot * 2 + 1] = old[i + 1];
    }
  }
}

/** Other keys: [hash, entry + 1] per slot (0: empty); [source, start, length, value] per entry. */
class RangeTable {
  sources: string[] = [];
  entries: Int32Array;
  slots: Int32Array;
  count = 0;
  constructor(expected: number) {
    this.entries = new Int32Array(Math.max(16, expected) * 4);
    this.slots = new Int32Array(capacityFor(expected) * 2);
  }

  /** The slot holding s[start, end), or the empty slot where it would go. */
  slotOf(s: string, start: number, end: number, h: number): number {
    const mask = (this.slots.length >> 1) - 1;
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot * 2 + 1] - 1;
      if (e < 0) return slot;
      if (this.slots[slot * 2] !== h || this.entries[e * 4 + 2] !== length) continue;
      const source = this.sources[this.entries[e * 4]];
      const at = this.entries[e * 4 + 1];
      let i = 0;
      while (i < length && source.charCodeAt(at + i) === s.charCodeAt(start + i)) i++;
      if (i === length) return slot;
    }
  }

  find(s: string, start: number, end: number): number {
    const e = this.slots[this.slotOf(s, start, end, hashRange(s, start, end)) * 2 + 1] - 1;
    return e < 0 ? -1 : this.entries[e * 4 + 3];
  }

  set(s: string, start: number, end: number, value: number): number {
    const h = hashRange(s, start, end);
    const slot = this.slotOf(s, start, end, h);
    const found = this.slots[slot * 2 + 1] - 1;
    if (found >= 0) {
      const old = this.entries[found * 4 + 3];
      this.entries[found * 4 + 3] = value;
      return old;
    }
    if (this.count * 4 === this.entries.length) {
      const entries = new Int32Array(this.entries.length * 2);
      entries.set(this.entries);
      this.entries = entries;
    }
    const e = this.count++;
    if (this.sources[this.sources.length - 1] !== s) this.sources.push(s);
    this.entries[e * 4] = this.sources.length - 1;
    this.entries[e * 4 + 1] = start;
    this.entries[e * 4 + 2] = end - start;
    this.entries[e * 4 + 3] = value;
    this.slots[slot * 2] = h;
    this.slots[slot * 2 + 1] = e + 1;
    if (this.count * 2 > this.slots.length >> 1) this.grow();
    return -1;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = (this.slots.length >> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i] & mask;
      while (this.slots[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
      this.slots[slot * 2] = old[i];
      this.slots[slot * 2 + 1] = old[i + 1];
    }
  }
}

/** Values are integers other than -1, which means "no such key". */
export class KeyTable {
  private readonly digits: DigitTable;
  private readonly ranges: RangeTable;

  constructor(expected = 16) {
    this.digits = new DigitTable(expected);
    this.ranges = new RangeTable(16);
  }

  get size(): number {
    return this.digits.count + this.ranges.count;
  }

  /** The value of the key s[start, end), or -1. */
  find(s: string, start = 0, end = s.length): number {
    const code = digitCode(s, start, end);
    if (code < 0) return this.ranges.find(s, start, end);
    const slot = this.digits.slotOf(code);
    return this.digits.slots[slot * 2] === code ? this.digits.slots[slot * 2 + 1] : -1;
  }

  /**
   * Sets the value of the key s[start, end) and returns its old value, or -1. The table may keep a
   * reference to s: pass a page that is kept anyway, or a string of the key alone.
   */
  set(s: string, start: number, end: number, value: number): number {
    const code = digitCode(s, start, end);
    return code < 0 ? this.ranges.set(s, start, end, value) : this.digits.set(code, value);
  }
}
