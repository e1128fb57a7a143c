/**
 * Jaro-Winkler similarity (Winkler 1990, "String Comparator Metrics and Enhanced Decision Rules
 * in the Fellegi-Sunter Model of Record Linkage"): prefix scale 0.1, prefix up to 4 characters.
 * Symmetric in its arguments, 1 for equal strings, 0 when either is empty.
 */

// Scratch flags reused across calls: JW runs millions of times per batch and allocating two
// arrays per call dominated its cost. Longer strings get their own arrays.
const SCRATCH_A = new Uint8Array(128);
const SCRATCH_B = new Uint8Array(128);

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  // The shorter string first keeps the result symmetric and the loops short.
  if (la > lb) return jaroWinkler(b, a);
  const window = Math.max(0, Math.floor(lb / 2) - 1);
  const matchedB = lb <= 128 ? SCRATCH_B.fill(0, 0, lb) : new Uint8Array(lb);
  const matchedA = la <= 128 ? SCRATCH_A.fill(0, 0, la) : new Uint8Array(la);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const ch = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === ch) {
        matchedB[j] = 1;
        matchedA[i] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * True when two equal-length strings differ by one substitution or one adjacent transposition,
 * or their lengths differ by one insertion: the keying errors in identifiers and dates.
 */
export function isOneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    // Allocation-free: called for most non-matching pairs of a batch.
    let first = -1;
    let second = -1;
    for (let i = 0; i < la; i++) {
      if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
      if (first < 0) first = i;
      else if (second < 0) second = i;
      else return false;
    }
    if (second < 0) return true;
    return second === first + 1 && a.charCodeAt(first) === b.charCodeAt(second) && a.charCodeAt(second) === b.charCodeAt(first);
  }
  if (la - lb !== 1 && lb - la !== 1) return false;
  const s = la < lb ? a : b;
  const l = la < lb ? b : a;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === l.charCodeAt(i)) i++;
  for (let k = i; k < s.length; k++) if (s.charCodeAt(k) !== l.charCodeAt(k + 1)) return false;
  return true;
}
