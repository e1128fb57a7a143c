/**
 * Pure functions that damage a clean value the way real systems do. Each takes the random
 * generator explicitly and returns a value different from its input whenever that is possible.
 */
import { nicknamesOf } from './nicknames.ts';
import type { Rng } from './random.ts';

// QWERTY neighbours: the key a finger lands on by mistake.
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const ADJACENT = new Map<string, string>();
KEYBOARD_ROWS.forEach((row, r) => {
  for (let i = 0; i < row.length; i++) {
    let near = (row[i - 1] ?? '') + (row[i + 1] ?? '');
    near += (KEYBOARD_ROWS[r - 1]?.[i] ?? '') + (KEYBOARD_ROWS[r + 1]?.[i] ?? '');
    ADJACENT.set(row[i]!, near);
  }
});

// Shapes a scanner or a tired reader confuses (OCR of faxed forms).
const OCR_CONFUSIONS: readonly (readonly [string, string])[] = [
  ['rn', 'm'], ['m', 'rn'], ['cl', 'd'], ['l', '1'], ['O', '0'], ['o', '0'], ['I', 'l'], ['S', '5'], ['B', '8'],
  ['e', 'c'], ['vv', 'w'], ['h', 'b'], ['u', 'v'],
];

export type TypoVariant = 'adjacent-key' | 'transposition' | 'ocr' | 'deletion' | 'doubling';

function matchCase(original: string, replacement: string): string {
  return original === original.toUpperCase() ? replacement.toUpperCase() : replacement;
}

/** One typing or reading mistake in a word: a neighbouring key, a swap, an OCR confusion, a dropped or doubled letter. */
export function injectTypo(value: string, rng: Rng): { value: string; variant: TypoVariant } {
  if (value.length < 2) return { value: value + value, variant: 'doubling' };
  const variant = rng.pick<TypoVariant>(['adjacent-key', 'adjacent-key', 'transposition', 'ocr', 'deletion', 'doubling']);
  const i = rng.int(1, value.length - 1); // keep the first letter: people rarely get it wrong
  switch (variant) {
    case 'adjacent-key': {
      const ch = value[i]!;
      const near = ADJACENT.get(ch.toLowerCase());
      if (!near) break;
      return { value: value.slice(0, i) + matchCase(ch, rng.pick([...near])) + value.slice(i + 1), variant };
    }
    case 'transposition': {
      const j = i < value.length - 1 ? i : i - 1;
      if (j < 1 || value[j] === value[j + 1]) break;
      return { value: value.slice(0, j) + value[j + 1] + value[j] + value.slice(j + 2), variant };
    }
    case 'ocr': {
      const options = OCR_CONFUSIONS.filter(([from]) => value.indexOf(from, 1) > 0);
      if (options.length === 0) break;
      const [from, to] = rng.pick(options);
      const at = value.indexOf(from, 1);
      return { value: value.slice(0, at) + to + value.slice(at + from.length), variant };
    }
    case 'deletion':
      if (value.length < 4) break;
      return { value: value.slice(0, i) + value.slice(i + 1), variant };
    case 'doubling':
      break;
  }
  return { value: value.slice(0, i) + value[i] + value.slice(i), variant: 'doubling' };
}

/** A nickname for a formal given name, or the name itself when it has none. */
export function injectNickname(given: string, rng: Rng): string {
  const nicks = nicknamesOf(given);
  return nicks.length > 0 ? rng.pick(nicks) : given;
}

/** How a silo writes a two-part surname it did not get quite right. */
export function injectCompoundSurname(family: string, rng: Rng): string {
  const parts = family.split(/[ -]/);
  if (parts.length < 2) return family;
  const joiner = family.includes('-') ? ' ' : '-';
  return rng.pick([parts.join(joiner), parts[0]!, parts.join('')]);
}

/** A 9-digit SSN with one digit changed or two neighbouring digits swapped. */
export function injectSsnError(ssn: string, rng: Rng): string {
  const i = rng.int(0, ssn.length - 2);
  if (rng.chance(0.5) && ssn[i] !== ssn[i + 1]) return ssn.slice(0, i) + ssn[i + 1] + ssn[i] + ssn.slice(i + 2);
  const digit = (Number(ssn[i]) + rng.int(1, 9)) % 10;
  return ssn.slice(0, i) + String(digit) + ssn.slice(i + 1);
}

export const phoneStyles = ['dashes', 'parens', 'dots', 'digits', 'e164', 'spaces'] as const;
export type PhoneStyle = (typeof phoneStyles)[number];

/** Formats a 10-digit NANP number in one of the styles US systems use. */
export function formatPhone(digits: string, style: PhoneStyle): string {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  switch (style) {
    case 'dashes':
      return `${a}-${b}-${c}`;
    case 'parens':
      return `(${a}) ${b}-${c}`;
    case 'dots':
      return `${a}.${b}.${c}`;
    case 'digits':
      return digits;
    case 'e164':
      return `+1${digits}`;
    case 'spaces':
      return `${a} ${b} ${c}`;
  }
}

/** Upper- or lower-cases a name the way some agents type it. */
export function injectCaseNoise(value: string, rng: Rng): string {
  return rng.chance(0.5) ? value.toUpperCase() : value.toLowerCase();
}
