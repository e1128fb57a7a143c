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

/** Two name parts that agree despite a typo: equal, or Jaro-Winkler ≥ 0.92 with the same first letter. */
function namesAgree(x: NormalizedName, y: NormalizedName): boolean {
  if (x.squashed === y.squashed) return true;
  // Typos rarely touch the first letter (Pollock & Zamora 1984): a cheap filter before Jaro-Winkler.
  return x.squashed.charCodeAt(0) === y.squashed.charCodeAt(0) && jaroWinkler(x.squashed, y.squashed) >= 0.92;
}

/** The name parts the given-name and the family-name comparisons look at (undefined: missing). */
export interface NameAlignment {
  given: [NormalizedName | undefined, NormalizedName | undefined];
  family: [NormalizedName | undefined, NormalizedName | undefined];
}

/**
 * Which of b's names each of a's names is compared with. Systems put names in the wrong field:
 *  - swapped ("Rowe Caleb"): both crossed pairs agree and the straight given names do not;
 *    compared crosswise;
 *  - half swapped, or one name replaced ("Lowe Chelsea" / "Gemma Lowe"): one crossed pair
 *    agrees and neither straight pair does. The shared name is compared as the family name and
 *    the other two as given names, whichever record held which, so the pair reads as "same
 *    surname, different given name" (what it is if the order was wrong, and what it would be
 *    for two siblings: the household hypothesis and the birth date still decide);
 *  - one name only (a surname in the given-name field, "Sugg" / "Frank Sugg"): the single name
 *    is compared with the other record's name it agrees with, and the other part is missing.
 * The result does not depend on the order of a and b.
 */
export function alignNames(a: NormalizedRecord, b: NormalizedRecord): NameAlignment {
  const code = alignmentOf(a, b);
  return { given: [givenOf(a, b, code, 0), givenOf(a, b, code, 1)], family: [familyOf(a, b, code, 0), familyOf(a, b, code, 1)] };
}

// Alignments as small codes, so comparing millions of pairs allocates nothing.
const STRAIGHT = 0;
/** Given with the other's family name and family with the other's given name. */
const SWAPPED = 1;
/** a's given name is b's surname: compared as family names; a's family with b's given. */
const A_GIVEN_IS_SURNAME = 2;
/** The one name of a (b) is the other's surname / given name; the other part is missing. */
const A_SINGLE_IS_FAMILY = 3;
const A_SINGLE_IS_GIVEN = 4;
const B_SINGLE_IS_FAMILY = 5;
const B_SINGLE_IS_GIVEN = 6;
/** One name in each record, in different fields, agreeing: compared as family names. */
const SINGLES_AGREE = 7;

// The given- and family-name comparisons of one pair ask in turn: the last answer is kept.
let lastA: NormalizedRecord | undefined;
let lastB: NormalizedRecord | undefined;
let lastCode = STRAIGHT;

function alignmentOf(a: NormalizedRecord, b: NormalizedRecord): number {
  if (a === lastA && b === lastB) return lastCode;
  lastCode = computeAlignment(a, b);
  lastA = a;
  lastB = b;
  return lastCode;
}

function computeAlignment(a: NormalizedRecord, b: NormalizedRecord): number {
  const ag = a.given, af = a.family, bg = b.given, bf = b.family;
  if (ag && af && bg && bf) {
    if (ag.squashed === bg.squashed || af.squashed === bf.squashed) return STRAIGHT;
    const gf = namesAgree(ag, bf);
    const fg = namesAgree(af, bg);
    if (!gf && !fg) return STRAIGHT;
    if (gf && fg) return namesAgree(ag, bg) ? STRAIGHT : SWAPPED;
    if (namesAgree(ag, bg) || namesAgree(af, bf)) return STRAIGHT;
    // The shared name compares as the surname: a's given (gf) or b's given (fg, the crosswise pairing).
    return gf ? A_GIVEN_IS_SURNAME : SWAPPED;
  }
  const sa = singleName(a);
  const sb = singleName(b);
  if (sa && bg && bf) {
    const toFamily = namesAgree(sa, bf);
    const toGiven = namesAgree(sa, bg);
    // Neither or both: the single name stays in its own field.
    return toFamily && !toGiven ? A_SINGLE_IS_FAMILY : toGiven && !toFamily ? A_SINGLE_IS_GIVEN : STRAIGHT;
  }
  if (sb && ag && af) {
    const toFamily = namesAgree(sb, af);
    const toGiven = namesAgree(sb, ag);
    return toFamily && !toGiven ? B_SINGLE_IS_FAMILY : toGiven && !toFamily ? B_SINGLE_IS_GIVEN : STRAIGHT;
  }
  if (sa && sb && (ag === undefined) !== (bg === undefined) && namesAgree(sa, sb)) return SINGLES_AGREE;
  return STRAIGHT;
}

/** The name of side `side` (0: a, 1: b) that the given-name comparison looks at. */
function givenOf(a: NormalizedRecord, b: NormalizedRecord, code: number, side: 0 | 1): NormalizedName | undefined {
  switch (code) {
    case SWAPPED: return side === 0 ? a.given : b.family;
    case A_GIVEN_IS_SURNAME: return side === 0 ? a.family : b.given;
    case A_SINGLE_IS_FAMILY: case B_SINGLE_IS_FAMILY: case SINGLES_AGREE: return undefined;
    case A_SINGLE_IS_GIVEN: return side === 0 ? singleName(a) : b.given;
    case B_SINGLE_IS_GIVEN: return side === 0 ? a.given : singleName(b);
    default: return side === 0 ? a.given : b.given;
  }
}

/** The name of side `side` that the family-name comparison looks at. */
function familyOf(a: NormalizedRecord, b: NormalizedRecord, code: number, side: 0 | 1): NormalizedName | undefined {
  switch (code) {
    case SWAPPED: return side === 0 ? a.family : b.given;
    case A_GIVEN_IS_SURNAME: return side === 0 ? a.given : b.family;
    case A_SINGLE_IS_FAMILY: return side === 0 ? singleName(a) : b.family;
    case B_SINGLE_IS_FAMILY: return side === 0 ? a.family : singleName(b);
    case SINGLES_AGREE: return side === 0 ? singleName(a) : singleName(b);
    case A_SINGLE_IS_GIVEN: case B_SINGLE_IS_GIVEN: return undefined;
    default: return side === 0 ? a.family : b.family;
  }
}

/** The name of a record that has exactly one of given and family name. */
function singleName(r: NormalizedRecord): NormalizedName | undefined {
  if (r.given && !r.family) return r.given;
  if (r.family && !r.given) return r.family;
  return undefined;
}

function phoneticAgree(x: NormalizedName, y: NormalizedName): boolean {
  const [p1, a1] = x.phonetic;
  const [p2, a2] = y.phonetic;
  if (p1 === '' || p2 === '') return false;
  return p1 === p2 || p1 === a2 || a1 === p2 || (a1 !== '' && a1 === a2);
}

/** x is initials only ("W.", "W. J.") and its first agrees with y's first letter. */
function initialAgrees(x: NormalizedName, y: NormalizedName): boolean {
  return y.squashed.length > 1 && x.tokens.every((t) => t.length === 1) && x.squashed.charCodeAt(0) === y.squashed.charCodeAt(0);
}

/**
 * One substitution, insertion, deletion or adjacent transposition in a name of five letters or
 * more ("Wolliam", "Trresa"): the commonest keying error (Damerau 1964), which Jaro-Winkler
 * scores under 0.92 when it falls early in the name. Shorter names change too much with one edit.
 */
function oneTypo(x: NormalizedName, y: NormalizedName): boolean {
  return Math.min(x.squashed.length, y.squashed.length) >= 5 && isOneEditApart(x.squashed, y.squashed);
}

function tokenOverlap(x: NormalizedName, y: NormalizedName): boolean {
  for (const t of x.tokens) if (t.length > 1 && y.tokens.includes(t)) return true;
  return false;
}

export const givenNameComparison: Comparison = {
  name: 'givenName',
  levels: ['exact', 'nickname', 'partial', 'jw>=0.92 or one edit', 'phonetic', 'jw>=0.80', 'initial', 'else'],
  compare(a, b) {
    const code = alignmentOf(a, b);
    const x = givenOf(a, b, code, 0);
    const y = givenOf(a, b, code, 1);
    if (!x || !y) return MISSING;
    if (x.squashed === y.squashed) return 0;
    const fx = x.tokens[0] ?? '';
    const fy = y.tokens[0] ?? '';
    if (fx !== fy && areNicknameEquivalent(fx, fy)) return 1;
    // "Mary Ann" vs "Mary", or the middle name used as the first on one system.
    if (tokenOverlap(x, y) || (a.middle && a.middle.squashed === y.squashed) || (b.middle && b.middle.squashed === x.squashed)) return 2;
    const jw = jaroWinkler(x.squashed, y.squashed);
    if (jw >= 0.92 || oneTypo(x, y)) return 3;
    if (phoneticAgree(x, y)) return 4;
    if (jw >= 0.8) return 5;
    if (initialAgrees(x, y) || initialAgrees(y, x)) return 6;
    return 7;
  },
  agreedTerm: (a, b) => givenOf(a, b, alignmentOf(a, b), 0)?.squashed,
  termMayMove: true,
  termsOf: (r) => (r.given ? [r.given.squashed] : []),
};

export const familyNameComparison: Comparison = {
  name: 'familyName',
  levels: ['exact', 'partial', 'jw>=0.92 or one edit', 'phonetic', 'jw>=0.80', 'else'],
  compare(a, b) {
    const code = alignmentOf(a, b);
    const x = familyOf(a, b, code, 0);
    const y = familyOf(a, b, code, 1);
    if (!x || !y) return MISSING;
    if (x.squashed === y.squashed) return 0;
    // Compound surnames recorded in part ("Garcia Lopez" / "Garcia") or joined ("GarciaLopez").
    if (tokenOverlap(x, y)) return 1;
    const jw = jaroWinkler(x.squashed, y.squashed);
    if (jw >= 0.92 || oneTypo(x, y)) return 2;
    if (phoneticAgree(x, y)) return 3;
    if (jw >= 0.8) return 4;
    return 5;
  },
  agreedTerm: (a, b) => familyOf(a, b, alignmentOf(a, b), 0)?.squashed,
  termMayMove: true,
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
    // A mistyped date is only compared digit by digit: its distance in days means nothing.
    if (x.mistyped || y.mistyped) return 6;
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
  levels: ['exact', 'similar street, same area', 'same postal code', 'same city or postal code one edit', 'same postal district', 'else'],
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
    // Postcode partial: the same UK outward code or US 3-digit ZIP area (a move within the area).
    if (x.postalArea !== undefined && x.postalArea === y.postalArea) return 4;
    return 5;
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
