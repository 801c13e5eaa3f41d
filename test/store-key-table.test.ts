// The string -> integer table behind student matching: exact for every kind of key, as a Map is.

import { describe, expect, it } from 'vitest';
import { KeyTable } from '../src/store/key-table.js';
import { random } from './helpers/random.js';

describe('KeyTable', () => {
  it('tells digit keys apart by their leading zeros and length', () => {
    const t = new KeyTable();
    const keys = ['0', '00', '1', '01', '001', '12', '012', '99999999999999', '099999999999999', '999999999999999'];
    keys.forEach((k, i) => t.set(k, 0, k.length, i));
    keys.forEach((k, i) => expect(t.find(k)).toBe(i));
    expect(t.find('000')).toBe(-1);
    expect(t.find('')).toBe(-1);
    expect(t.size).toBe(keys.length);
  });

  it('finds keys of any text: letters, separators, spaces, accents and astral characters', () => {
    const t = new KeyTable();
    const keys = ['TX123', 'a;b', 'a,b', ' 12', '12 ', '1.5', '-7', 'Zoë', 'ID-😀', '１２'];
    keys.forEach((k, i) => t.set(k, 0, k.length, i));
    keys.forEach((k, i) => expect(t.find(k)).toBe(i));
    expect(t.find('tx123')).toBe(-1);
    expect(t.find('12')).toBe(-1);
  });

  it('reads keys as ranges of a page and finds them from separate strings', () => {
    const page = '0001234567,7;AB-9,8;0001234567x,9';
    const t = new KeyTable();
    t.set(page, 0, 10, 7);
    t.set(page, 13, 17, 8);
    t.set(page, 20, 31, 9);
    expect(t.find(['000', '1234567'].join(''))).toBe(7);
    expect(t.find('AB-9')).toBe(8);
    expect(t.find('0001234567x')).toBe(9);
    expect(t.find(page, 13, 17)).toBe(8);
  });

  it('set returns the value it replaces, or -1 for a new key', () => {
    const t = new KeyTable();
    expect(t.set('42', 0, 2, 1)).toBe(-1);
    expect(t.set('42', 0, 2, -2)).toBe(1);
    expect(t.set('X42', 0, 3, 5)).toBe(-1);
    expect(t.set('X42', 0, 3, 6)).toBe(5);
    expect([t.find('42'), t.find('X42'), t.size]).toEqual([-2, 6, 2]);
  });

  it('agrees with a Map on 60,000 mixed keys, growing from a small start', () => {
    const next = random(7);
    const t = new KeyTable(16);
    const truth = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const digits = String(Math.floor(next() * 1e9)).padStart(1 + Math.floor(next() * 12), '0');
      const key = next() < 0.3 ? `S${digits}` : digits;
      t.set(key, 0, key.length, i);
      truth.set(key, i);
    }
    expect(t.size).toBe(truth.size);
    for (const [key, value] of truth) expect(t.find(key)).toBe(value);
    for (let i = 0; i < 20_000; i++) {
      const key = String(Math.floor(next() * 1e10));
      expect(t.find(key)).toBe(truth.get(key) ?? -1);
    }
  });
});
