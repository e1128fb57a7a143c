/**
 * Attributes of simulated people and places: names, birth dates, SSNs, phones, emails,
 * addresses, deaths. Plain functions over an explicit Rng.
 */
import { addYears } from './dates.ts';
import { cityNames, givenNames, hispanicSurnames, isHispanicSurname, sampleWord, streetNames, streetSuffixes, surnames } from './names.ts';
import type { Rng } from './random.ts';
import type { Address, Sex } from './types.ts';

/**
 * Adult age distribution (share of adults by age band), rounded from the US Census Bureau's
 * American Community Survey 2022 1-year estimates (table S0101).
 */
const ADULT_AGE_BANDS: readonly (readonly [number, number, number])[] = [
  [18, 24, 0.115], [25, 34, 0.17], [35, 44, 0.165], [45, 54, 0.155], [55, 64, 0.165], [65, 74, 0.14],
  [75, 84, 0.068], [85, 99, 0.022],
];

export function drawAdultAge(rng: Rng): number {
  let x = rng.float();
  for (const [lo, hi, share] of ADULT_AGE_BANDS) {
    if (x < share) return rng.int(lo, hi);
    x -= share;
  }
  return rng.int(25, 60);
}

/** A birth day for someone `age` years old on `onDay`. */
export function birthDayForAge(age: number, onDay: number, rng: Rng): number {
  return addYears(onDay, -age) - rng.int(1, 365);
}

/**
 * Annual probability of death by age, rounded from NCHS Data Brief No. 492, "Mortality in the
 * United States, 2022" (age-specific death rates per 100,000).
 */
export function annualMortality(age: number): number {
  if (age < 1) return 0.0056;
  if (age < 25) return 0.0004;
  if (age < 45) return 0.0019;
  if (age < 65) return 0.0075;
  if (age < 75) return 0.018;
  if (age < 85) return 0.043;
  return 0.135;
}

export function drawSurname(rng: Rng): string {
  return sampleWord(surnames, rng);
}

/**
 * About 30 % of people with a Spanish surname carry both family names (paternal + maternal),
 * as in Spanish-speaking countries; silos then disagree on how to write it.
 */
export function maybeCompoundSurname(paternal: string, rng: Rng): string {
  if (!isHispanicSurname(paternal) || !rng.chance(0.3)) return paternal;
  let maternal = sampleWord(hispanicSurnames, rng);
  if (maternal === paternal) maternal = sampleWord(hispanicSurnames, rng);
  return maternal === paternal ? paternal : `${paternal} ${maternal}`;
}

/** A given name; people with a Spanish surname get a Spanish given name 70 % of the time. */
export function drawGivenName(sex: Sex, family: string, rng: Rng): string {
  const hispanic = isHispanicSurname(family.split(' ')[0]!) && rng.chance(0.7);
  if (hispanic) return sampleWord(sex === 'female' ? givenNames.hispanicFemale : givenNames.hispanicMale, rng);
  return sampleWord(sex === 'female' ? givenNames.female : givenNames.male, rng);
}

/** A middle name, or an empty string (about a quarter of records have none). */
export function drawMiddleName(sex: Sex, family: string, rng: Rng): string {
  return rng.chance(0.25) ? '' : drawGivenName(sex, family, rng);
}

/**
 * A synthetic SSN that can never belong to anyone: area numbers 900-999 are never issued as
 * SSNs, and group numbers 01-49 are not used by ITINs (which also start with 9) either.
 */
export function drawSsn(rng: Rng): string {
  return `9${rng.digits(2)}${String(rng.int(1, 49)).padStart(2, '0')}${String(rng.int(1, 9999)).padStart(4, '0')}`;
}

/** The organization's region: area codes and ZIP range of Ohio (a fixed, documented choice). */
export const region = {
  state: 'OH',
  areaCodes: ['216', '330', '419', '440', '513', '567', '614', '740', '937'],
  zipMin: 43001,
  zipMax: 45999,
};

/** A 10-digit NANP number (NXX-NXX-XXXX) in the region. */
export function drawPhone(rng: Rng): string {
  return `${rng.pick(region.areaCodes)}${rng.int(200, 999)}${rng.digits(4)}`;
}

/** An email on a reserved example domain (RFC 2606), so no message can ever reach a real mailbox. */
export function drawEmail(given: string, family: string, rng: Rng): string {
  const g = given.toLowerCase().replace(/[^a-z]/g, '');
  const f = family.toLowerCase().replace(/[^a-z]/g, '');
  const local = rng.pick([`${g}.${f}`, `${g}${f}`, `${g[0] ?? 'x'}${f}`, `${g}_${f}`, `${f}${g[0] ?? ''}`]);
  const suffix = rng.chance(0.5) ? String(rng.int(1, 99)) : '';
  return `${local}${suffix}@${rng.pick(['example.com', 'example.net', 'example.org', 'mail.example.com'])}`;
}

const CITY_COUNT = 40;

/** The region's cities for this seed, each with one ZIP code. */
export function regionCities(seed: number, rng: Rng): { city: string; zip: string }[] {
  const cities: { city: string; zip: string }[] = [];
  const used = new Set<string>();
  while (cities.length < CITY_COUNT) {
    const city = rng.pick(cityNames);
    if (used.has(city)) continue;
    used.add(city);
    cities.push({ city, zip: String(region.zipMin + ((seed + rng.int(0, region.zipMax - region.zipMin)) % (region.zipMax - region.zipMin))) });
  }
  return cities;
}

export function drawAddress(cities: readonly { city: string; zip: string }[], rng: Rng): Address {
  const place = rng.pick(cities);
  const street = rng.chance(0.6) ? rng.pick(streetNames) : `${drawSurname(rng)} ${rng.pick(streetSuffixes)}`;
  const unit = rng.chance(0.15) ? ` Apt ${rng.int(1, 40)}${rng.pick(['', 'A', 'B'])}` : '';
  return { line1: `${rng.int(1, 9999)} ${street}${unit}`, city: place.city, state: region.state, zip: place.zip };
}
