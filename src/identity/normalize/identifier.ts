/**
 * Person identifiers. Each is keyed by its system so only like compares with like: an MRN is
 * meaningful only with its assigning authority (clinic C123 and hospital C123 are different
 * people), an SSN or Medicare MBI is national.
 */

export interface Identifier {
  /** ssn, mbi, or an assigning authority / system URI for MRNs and member ids. */
  system: string;
  value: string;
}

/**
 * SSN as 9 digits; refused when SSA never issues it (area 000, 666 or 9xx, group 00, serial
 * 0000 — SSA, "Social Security Number Randomization"). Simulated data uses 9xx deliberately,
 * so `allowUnissued` keeps those for synthetic sets.
 */
export function normalizeSsn(raw: string | undefined | null, allowUnissued = true): string | undefined {
  if (!raw) return undefined;
  const digits = raw.replace(/\D/g, '');
  if (digits.length !== 9) return undefined;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return undefined;
  if (!allowUnissued && area.startsWith('9')) return undefined;
  if (/^(\d)\1{8}$/.test(digits) || digits === '123456789') return undefined; // placeholders
  return digits;
}

/**
 * Medicare Beneficiary Identifier: 11 characters, CMS format C A AN N A AN N A A N N where A
 * excludes S, L, O, I, B, Z (CMS, "New Medicare Card: MBI format specifications").
 */
export function normalizeMbi(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const text = raw.toUpperCase().replace(/[\s-]/g, '');
  const a = '[AC-HJKMNP-RT-Y]';
  const an = '[AC-HJKMNP-RT-Y0-9]';
  const re = new RegExp(`^[1-9]${a}${an}[0-9]${a}${an}[0-9]${a}${a}[0-9][0-9]$`);
  return re.test(text) ? text : undefined;
}

/** Local identifiers (MRN, member id): trimmed, upper-cased, separators removed, leading zeros kept. */
export function normalizeLocalId(system: string, raw: string | undefined | null): Identifier | undefined {
  if (!raw || !system) return undefined;
  const value = raw.trim().toUpperCase().replace(/[\s-]/g, '');
  if (value === '') return undefined;
  return { system: system.trim().toLowerCase(), value };
}
