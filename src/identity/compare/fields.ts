/**
 * The comparisons of the person model, one per field, with the levels the issue asks for:
 * exact, nickname, Jaro-Winkler bands, phonetic, day/month swapped birth dates, partial address.
 * Bands follow common practice in Splink's comparison library (JW 0.92 and 0.80 for names).
 */
import { areNicknameEquivalent } from '../normalize/nicknames.ts';
import { isDayMonthSwap } from '../normalize/date.ts';
import type { NormalizedName } from '../normalize/name.ts';
import type { NormalizedRecord } from '../types.ts';
import { MISSING, type Comparison } from './comparison.ts';
import { isOneEditApart, jaroWinkler } from './jaro-winkler.ts';

/**
 * A record whose given and family names are exchanged relative to the other (hospital data
 * entry, "Rowe Caleb"): both crossed pairs are similar (JW ≥ 0.92) and the straight pairs are not.
 */
function namesSwapped(a: NormalizedRecord, b: NormalizedRecord): boolean {
  if (!a.given || !a.family || !b.given || !b.family) return false;
  if (a.given.squashed === b.given.squashed || a.family.squashed === b.family.squashed) return false;
  // Cheap filter first: a swap moves whole names, and typos rarely touch the first letter
  // (Pollock & Zamora 1984), so the crossed first letters must agree.
  if (a.given.squashed.charCodeAt(0) !== b.family.squashed.charCodeAt(0) || a.family.squashed.charCodeAt(0) !== b.given.squashed.charCodeAt(0)) return false;
  return jaroWinkler(a.given.squashed, b.family.squashed) >= 0.92 && jaroWinkler(a.family.squashed, b.given.squashed) >= 0.92
    && jaroWinkler(a.given.squashed, b.given.squashed) < 0.92;
}

function phoneticAgree(x: NormalizedName, y: NormalizedName): boolean {
  const [p1, a1] = x.phonetic;
  const [p2, a2] = y.phonetic;
  if (p1 === '' || p2 === '') return false;
  return p1 === p2 || p1 === a2 || a1 === p2 || (a1 !== '' && a1 === a2);
}

function tokenOverlap(x: NormalizedName, y: NormalizedName): boolean {
  for (const t of x.tokens) if (t.length > 1 && y.tokens.includes(t)) return true;
  return false;
}

export const givenNameComparison: Comparison = {
  name: 'givenName',
  levels: ['exact', 'nickname', 'partial', 'jw>=0.92', 'phonetic', 'jw>=0.80', 'else'],
  compare(a, b) {
    const swapped = namesSwapped(a, b);
    const x = a.given;
    const y = swapped ? b.family : b.given;
    if (!x || !y) return MISSING;
    if (x.squashed === y.squashed) return 0;
    const fx = x.tokens[0] ?? '';
    const fy = y.tokens[0] ?? '';
    if (fx !== fy && areNicknameEquivalent(fx, fy)) return 1;
    // "Mary Ann" vs "Mary", or the middle name used as the first on one system.
    if (tokenOverlap(x, y) || (a.middle && a.middle.squashed === y.squashed) || (b.middle && b.middle.squashed === x.squashed)) return 2;
    const jw = jaroWinkler(x.squashed, y.squashed);
    if (jw >= 0.92) return 3;
    if (phoneticAgree(x, y)) return 4;
    if (jw >= 0.8) return 5;
    return 6;
  },
  agreedTerm: (a) => a.given?.squashed,
  termsOf: (r) => (r.given ? [r.given.squashed] : []),
};

export const familyNameComparison: Comparison = {
  name: 'familyName',
  levels: ['exact', 'partial', 'jw>=0.92', 'phonetic', 'jw>=0.80', 'else'],
  compare(a, b) {
    const swapped = namesSwapped(a, b);
    const x = a.family;
    const y = swapped ? b.given : b.family;
    if (!x || !y) return MISSING;
    if (x.squashed === y.squashed) return 0;
    // Compound surnames recorded in part ("Garcia Lopez" / "Garcia") or joined ("GarciaLopez").
    if (tokenOverlap(x, y)) return 1;
    const jw = jaroWinkler(x.squashed, y.squashed);
    if (jw >= 0.92) return 2;
    if (phoneticAgree(x, y)) return 3;
    if (jw >= 0.8) return 4;
    return 5;
  },
  agreedTerm: (a) => a.family?.squashed,
  termsOf: (r) => (r.family ? [r.family.squashed] : []),
};

const DAY_MS = 86_400_000;

/** Number of differing digits between two YYYYMMDD strings (keying errors). */
function digitDifferences(x: string, y: string): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) d++;
  return d;
}

export const birthDateComparison: Comparison = {
  name: 'birthDate',
  levels: ['exact', 'day/month swapped', 'two of three parts', 'two digits differ', 'within a year', 'within ten years', 'else'],
  compare(a, b) {
    const x = a.birthDate;
    const y = b.birthDate;
    if (!x || !y) return MISSING;
    if (x.iso === y.iso) return 0;
    if (isDayMonthSwap(x, y)) return 1;
    const same = Number(x.year === y.year) + Number(x.month === y.month) + Number(x.day === y.day);
    if (same === 2) return 2;
    if (digitDifferences(x.iso, y.iso) <= 2) return 3;
    const days = Math.abs(Date.UTC(x.year, x.month - 1, x.day) - Date.UTC(y.year, y.month - 1, y.day)) / DAY_MS;
    if (days <= 366) return 4;
    if (days <= 3653) return 5;
    return 6;
  },
  agreedTerm: (a) => a.birthDate?.iso,
  termsOf: (r) => (r.birthDate ? [r.birthDate.iso] : []),
};

export const sexComparison: Comparison = {
  name: 'sex',
  levels: ['exact', 'else'],
  compare(a, b) {
    if (!a.sex || !b.sex) return MISSING;
    return a.sex === b.sex ? 0 : 1;
  },
};

function commonPhone(a: NormalizedRecord, b: NormalizedRecord): string | undefined {
  for (const p of a.phones) if (b.phones.includes(p)) return p;
  return undefined;
}

export const phoneComparison: Comparison = {
  name: 'phone',
  levels: ['exact', 'last 7 digits or one edit', 'else'],
  compare(a, b) {
    if (a.phones.length === 0 || b.phones.length === 0) return MISSING;
    if (commonPhone(a, b) !== undefined) return 0;
    for (const p of a.phones) {
      for (const q of b.phones) if (p.slice(-7) === q.slice(-7) || isOneEditApart(p, q)) return 1;
    }
    return 2;
  },
  agreedTerm: commonPhone,
  termsOf: (r) => r.phones,
};

export const emailComparison: Comparison = {
  name: 'email',
  levels: ['exact', 'same user or jw>=0.90', 'else'],
  compare(a, b) {
    const x = a.email;
    const y = b.email;
    if (!x || !y) return MISSING;
    if (x.address === y.address) return 0;
    if (x.local === y.local || jaroWinkler(x.address, y.address) >= 0.9) return 1;
    return 2;
  },
  agreedTerm: (a) => a.email?.address,
  termsOf: (r) => (r.email ? [r.email.address] : []),
};

/**
 * The address as one comparison, not street, city and ZIP separately: those three agree or
 * disagree together (a move changes all of them), and counting them as independent evidence
 * would triple the weight of a shared or a changed address.
 */
export const addressComparison: Comparison = {
  name: 'address',
  levels: ['exact', 'similar street, same area', 'same postal code', 'same city or postal code one edit', 'else'],
  compare(a, b) {
    const x = a.address;
    const y = b.address;
    if (!x || !y) return MISSING;
    const hasStreets = x.street !== undefined && y.street !== undefined;
    const hasPostal = x.postalCode !== undefined && y.postalCode !== undefined;
    const hasCity = x.city !== undefined && y.city !== undefined;
    if (!hasStreets && !hasPostal && !hasCity) return MISSING;
    const samePostal = hasPostal && x.postalCode === y.postalCode;
    const sameCity = hasCity && x.city === y.city;
    const sameArea = (samePostal || !hasPostal) && (sameCity || !hasCity);
    if (hasStreets) {
      const sameUnit = x.unit === undefined || y.unit === undefined || x.unit === y.unit;
      const sameNumber = x.number === y.number;
      if (x.street === y.street && sameNumber && sameUnit && sameArea) return 0;
      if ((sameNumber || !x.number || !y.number) && jaroWinkler(x.street as string, y.street as string) >= 0.88 && (samePostal || sameCity || (!hasPostal && !hasCity))) return 1;
    } else if (sameArea) {
      return 0;
    }
    if (samePostal) return 2;
    const similarCity = hasCity && (sameCity || jaroWinkler(x.city as string, y.city as string) >= 0.88);
    if (similarCity || (hasPostal && isOneEditApart(x.postalCode as string, y.postalCode as string))) return 3;
    return 4;
  },
  agreedTerm: (a) => addressTerm(a),
  termsOf: (r) => {
    const t = addressTerm(r);
    return t ? [t] : [];
  },
};

function addressTerm(r: NormalizedRecord): string | undefined {
  const x = r.address;
  if (!x) return undefined;
  return `${x.number ?? ''} ${x.street ?? ''}|${x.postalCode ?? ''}|${x.city ?? ''}`;
}

export const ssnComparison: Comparison = {
  name: 'ssn',
  levels: ['exact', 'one edit', 'else'],
  compare(a, b) {
    if (!a.ssn || !b.ssn) return MISSING;
    if (a.ssn === b.ssn) return 0;
    return isOneEditApart(a.ssn, b.ssn) ? 1 : 2;
  },
};

export const identifierComparison: Comparison = {
  name: 'identifier',
  levels: ['shared identifier', 'one edit, same authority', 'else'],
  compare(a, b) {
    if (a.identifiers.length === 0 || b.identifiers.length === 0) return MISSING;
    for (const id of a.identifiers) if (b.identifiers.includes(id)) return 0;
    // Only two ids from one assigning authority can disagree; ids of different systems say nothing.
    let sameSystem = false;
    for (const x of a.identifiers) {
      const sx = x.slice(0, x.indexOf('|') + 1);
      for (const y of b.identifiers) {
        if (!y.startsWith(sx)) continue;
        sameSystem = true;
        if (isOneEditApart(x.slice(sx.length), y.slice(sx.length))) return 1;
      }
    }
    return sameSystem ? 2 : MISSING;
  },
};

/** The person model's comparisons, in the order weights are reported. */
export const PERSON_COMPARISONS: readonly Comparison[] = [
  givenNameComparison, familyNameComparison, birthDateComparison, sexComparison, phoneComparison,
  emailComparison, addressComparison, ssnComparison, identifierComparison,
];
