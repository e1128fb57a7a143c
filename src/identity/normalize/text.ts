/**
 * Text folding shared by every normalizer: the forms a front desk, a claims system and a CRM
 * type for the same value differ in case, accents, punctuation and spacing, never in meaning.
 */

/** Lower-cases, strips diacritics (NFD + combining marks, so "José" → "jose"), maps ß/æ/ø/ł. */
export function foldCase(value: string): string {
  // Fast path: plain ASCII needs no decomposition (most names and addresses).
  if (!/[^ -~]/.test(value)) return value.toLowerCase();
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/œ/g, 'oe');
}

/** Folds and keeps only letters, digits and single spaces; punctuation becomes a space. */
export function foldText(value: string | undefined | null): string {
  if (!value) return '';
  return foldCase(value)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Splits folded text into tokens (empty input: no tokens). */
export function tokens(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}
