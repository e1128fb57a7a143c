/**
 * Person names as systems hold them: "O'Brien-Smith Jr.", "GARCIA LOPEZ", "de la Cruz",
 * "Mary-Ann". We keep the folded full string (for exact and Jaro-Winkler), the tokens (for
 * compound surnames recorded in part), a squashed key without spaces ("GarciaLopez" =
 * "Garcia Lopez"), and Double Metaphone codes.
 */
import { doubleMetaphone } from './double-metaphone.ts';
import { foldCase, tokens } from './text.ts';

/** Generational suffixes and honorifics dropped from names (they are not part of identity here). */
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'v', 'junior', 'senior', 'md', 'phd', 'esq', 'dds', 'rn']);
const PREFIX_TITLES = new Set([
  'mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'rev', 'revd', 'reverend', 'sir', 'dame', 'lady', 'lord', 'hon', 'honourable',
  'capt', 'captain', 'col', 'colonel', 'gen', 'general', 'lt', 'lieutenant', 'sgt', 'sergeant',
  'baron', 'baroness', 'earl', 'countess', 'viscount', 'marquess',
]);
/** Post-nominals and ordinals of peerages ("Bt.", "V.C.", "1st"): never a name by themselves. */
const POST_NOMINALS = new Set(['bt', 'bart', 'baronet', 'vc', 'kbe', 'obe', 'mbe', 'cbe', 'kg', 'qc', 'kc', 'frs']);
const ORDINAL = /^\d+(st|nd|rd|th)$/;
const isHonorific = (t: string) => PREFIX_TITLES.has(t) || POST_NOMINALS.has(t) || ORDINAL.test(t);

/** Digits typed or read for the letter they look like. */
const LOOKALIKE: Readonly<Record<string, string>> = { 0: 'o', 1: 'l', 5: 's' };

export interface NormalizedName {
  /** Folded tokens joined by one space ("garcia lopez"). */
  full: string;
  tokens: string[];
  /** Tokens joined without separator ("garcialopez"), so spacing and hyphens do not count. */
  squashed: string;
  /** Double Metaphone of the squashed name, primary and alternate. */
  phonetic: [string, string];
  /** Generational suffix when one was present (jr, sr, ii, iii, iv), kept to tell father from son. */
  suffix?: string;
}

// Names repeat (Zipf): memoizing the normalized form cuts batch normalization several-fold.
// Results are shared and must be treated as read-only. Cleared when full, so memory is bounded.
const CACHE = new Map<string, NormalizedName | undefined>();
const CACHE_LIMIT = 100_000;

/** Normalizes one name part (given or family); undefined when nothing is left. */
export function normalizeName(raw: string | undefined | null): NormalizedName | undefined {
  if (!raw) return undefined;
  if (CACHE.has(raw)) return CACHE.get(raw);
  const result = computeName(raw);
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(raw, result);
  return result;
}

function computeName(raw: string): NormalizedName | undefined {
  // Apostrophes join (O'Brien → obrien); hyphens and other punctuation separate tokens.
  // A digit inside a word of letters is a keying or OCR slip for the letter it looks like
  // ("Jac0bo", "O'Rei1ly", "5mith"); names hold no digits.
  const folded = foldCase(raw).replace(/['’`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  let parts = tokens(folded).filter((t) => !/^\d+$/.test(t))
    .map((t) => (ORDINAL.test(t) ? t : t.replace(/[015](?=[a-z])|(?<=[a-z])[015]/g, (d) => LOOKALIKE[d] ?? d)));
  let suffix: string | undefined;
  while (parts.length > 1 && SUFFIXES.has(parts[parts.length - 1] ?? '')) {
    const s = parts.pop() as string;
    suffix ??= s === 'junior' ? 'jr' : s === 'senior' ? 'sr' : s;
  }
  while (parts.length > 1 && PREFIX_TITLES.has(parts[0] ?? '')) parts = parts.slice(1);
  while (parts.length > 1 && (POST_NOMINALS.has(parts[parts.length - 1] ?? '') || ORDINAL.test(parts[parts.length - 1] ?? ''))) parts.pop();
  if (parts.length === 0) return undefined;
  const squashed = parts.join('');
  // A title alone ("Sir", "Mrs.", "Baronet", "V.C.", "1st") names nobody: the field is missing.
  if (parts.every(isHonorific) || isHonorific(squashed)) return undefined;
  return {
    full: parts.join(' '),
    tokens: parts,
    squashed,
    phonetic: doubleMetaphone(squashed),
    ...(suffix ? { suffix } : {}),
  };
}
