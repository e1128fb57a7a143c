/**
 * Birth dates: accepted as ISO (1971-06-24), compact (19710624), US (06/24/1971) or FHIR
 * partial precision; invalid calendar dates are dropped (a 1900-02-29 is a typo, not a person).
 */

export interface BirthDate {
  year: number;
  month: number;
  day: number;
  /** ISO form YYYY-MM-DD. */
  iso: string;
  /**
   * Not a calendar date ("1856-86-18", "19231164"): a keying error whose other digits still
   * carry evidence. Only compared digit by digit (see mistypedBirthDate).
   */
  mistyped?: true;
}

function isValid(year: number, month: number, day: number): boolean {
  if (year < 1000 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Parses a birth date in the forms above; undefined when empty or not a valid date. */
export function normalizeBirthDate(raw: string | undefined | null): BirthDate | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  let m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(text);
  let year: number, month: number, day: number;
  if (m) {
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text))) {
    [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    return undefined;
  }
  if (!isValid(year, month, day)) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return { year, month, day, iso: `${year}-${pad(month)}-${pad(day)}` };
}

/** True when b is a with day and month exchanged (only possible when both are 1..12 and differ). */
export function isDayMonthSwap(a: BirthDate, b: BirthDate): boolean {
  return a.year === b.year && a.month !== a.day && a.month === b.day && a.day === b.month;
}

/**
 * A well-formed date that is not a calendar date ("1849-88-07", "19231164", day 00): kept as
 * digits, marked mistyped, so the year and the parts that are right can still agree. Undefined
 * for anything that is not eight digits in ISO or compact form, and for valid dates (use
 * normalizeBirthDate).
 */
export function mistypedBirthDate(raw: string | undefined | null): BirthDate | undefined {
  if (!raw) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(raw.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (isValid(year, month, day)) return undefined;
  return { year, month, day, iso: `${m[1]}-${m[2]}-${m[3]}`, mistyped: true };
}
