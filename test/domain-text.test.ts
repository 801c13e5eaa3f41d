// White space as the import rules mean it (SPEC 7.0): Unicode White_Space and U+FEFF.

import { describe, expect, it } from 'vitest';
import { isBlank, trimField } from '../src/domain/text.js';

const WHITE_SPACE = /^\p{White_Space}$/u;
const isSpace = (c: string) => WHITE_SPACE.test(c) || c === '\ufeff';

describe('trimField', () => {
  it('trims exactly the Unicode White_Space characters and U+FEFF, checked for every BMP character', () => {
    const wrong: string[] = [];
    let spaces = 0;
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are not characters
      const c = String.fromCharCode(code);
      const expected = isSpace(c) ? 'x' : `${c}x${c}`;
      if (trimField(`${c}x${c}`) !== expected) wrong.push(code.toString(16));
      if (isSpace(c)) spaces++;
    }
    expect(wrong).toEqual([]);
    expect(spaces).toBe(26); // 25 White_Space characters and U+FEFF
  });

  it.each([
    ['\u0085', ''],
    ['\u0085 a b \u0085', 'a b'],
    [' \u0085\u00a0a\u0085b\u3000\u0085', 'a\u0085b'],
    ['\u0085\ufeff0001\u0085', '0001'],
    ['a', 'a'],
    ['', ''],
  ])('%j -> %j (white space inside a field stays)', (text, expected) => {
    expect(trimField(text)).toBe(expected);
  });
});

describe('isBlank', () => {
  it.each([
    ['', true],
    [' \t', true],
    ['\u0085', true],
    ['\u00a0\u2003\ufeff\u0085', true],
    ['a', false],
    ['\u200b', false],
    [' \u0085 .', false],
  ])('%j -> %s', (text, expected) => {
    expect(isBlank(text)).toBe(expected);
  });
});
