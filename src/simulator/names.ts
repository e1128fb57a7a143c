/**
 * Name frequency model for a US population mix.
 *
 * Surnames: the 50 most frequent surnames of the 2010 US Census with their published
 * frequency per 100,000 people (US Census Bureau, "Frequently Occurring Surnames from the 2010
 * Census", file Names_2010Census.csv, column prop100k; rounded). Together they cover about
 * 13 % of people, so Smith comes up ~0.83 % of the time and Garcia ~0.40 %. The remaining
 * 87 % is a long tail: @faker-js/faker's en and es_MX surname lists, in a fixed shuffled order
 * with gently falling Zipf-Mandelbrot weights, each rarer than any of the top 50.
 *
 * Given names: the most frequent US given names of the last 100 years (Social Security
 * Administration, "Top names over the last 100 years", 1923-2022; counts in millions, rounded)
 * as the head, faker's en / es_MX given names as a Zipf tail.
 */
import { en, es_MX } from '@faker-js/faker';
import { Rng } from './random.ts';

const CENSUS_2010_TOP_SURNAMES: readonly (readonly [string, number])[] = [
  ['Smith', 828.19], ['Johnson', 655.24], ['Williams', 550.97], ['Brown', 487.16], ['Jones', 483.24],
  ['Garcia', 395.32], ['Miller', 393.73], ['Davis', 378.45], ['Rodriguez', 371.19], ['Martinez', 359.4],
  ['Hernandez', 353.68], ['Lopez', 296.47], ['Gonzalez', 285.11], ['Wilson', 271.84], ['Anderson', 265.92],
  ['Thomas', 256.34], ['Taylor', 254.67], ['Moore', 245.57], ['Jackson', 240.05], ['Martin', 238.19],
  ['Lee', 234.94], ['Perez', 231.08], ['Thompson', 225.32], ['White', 223.91], ['Harris', 211.63],
  ['Sanchez', 207.73], ['Clark', 190.75], ['Ramirez', 188.97], ['Lewis', 180.28], ['Robinson', 179.61],
  ['Walker', 169.95], ['Young', 164.23], ['Allen', 163.61], ['King', 157.78], ['Wright', 155.6],
  ['Scott', 149.0], ['Torres', 148.42], ['Nguyen', 148.36], ['Hill', 147.41], ['Flores', 147.12],
  ['Green', 145.83], ['Adams', 145.05], ['Nelson', 144.06], ['Baker', 142.24], ['Hall', 138.0],
  ['Rivera', 132.59], ['Campbell', 130.91], ['Mitchell', 130.34], ['Carter', 127.79], ['Roberts', 127.73],
];

const HISPANIC_HEAD = new Set([
  'Garcia', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Perez', 'Sanchez', 'Ramirez', 'Torres',
  'Flores', 'Rivera',
]);

const SSA_TOP_MALE: readonly (readonly [string, number])[] = [
  ['James', 4.7], ['Robert', 4.5], ['John', 4.4], ['Michael', 4.4], ['David', 3.6], ['William', 3.5],
  ['Richard', 2.5], ['Joseph', 2.6], ['Thomas', 2.3], ['Charles', 2.3], ['Christopher', 2.0], ['Daniel', 1.9],
  ['Matthew', 1.6], ['Anthony', 1.4], ['Donald', 1.4], ['George', 1.4], ['Paul', 1.4], ['Mark', 1.3],
  ['Steven', 1.3], ['Andrew', 1.3], ['Joshua', 1.2], ['Brian', 1.2], ['Kenneth', 1.1], ['Kevin', 1.1],
  ['Ronald', 1.1], ['Edward', 1.1], ['Timothy', 1.0], ['Jason', 1.0], ['Jeffrey', 1.0], ['Ryan', 0.9],
];

const SSA_TOP_FEMALE: readonly (readonly [string, number])[] = [
  ['Mary', 3.2], ['Patricia', 1.6], ['Elizabeth', 1.6], ['Jennifer', 1.5], ['Linda', 1.45], ['Barbara', 1.4],
  ['Margaret', 1.25], ['Susan', 1.1], ['Jessica', 1.05], ['Sarah', 1.0], ['Nancy', 1.0], ['Betty', 1.0],
  ['Karen', 0.98], ['Lisa', 0.97], ['Dorothy', 0.9], ['Sandra', 0.87], ['Ashley', 0.85], ['Emily', 0.85],
  ['Kimberly', 0.84], ['Donna', 0.83], ['Michelle', 0.81], ['Carol', 0.77], ['Amanda', 0.77], ['Melissa', 0.75],
  ['Deborah', 0.74], ['Stephanie', 0.74], ['Rebecca', 0.7], ['Sharon', 0.67], ['Laura', 0.67], ['Katherine', 0.66],
];

/** A weighted word list with O(log n) sampling. */
export interface WeightedList {
  readonly words: readonly string[];
  readonly cumulative: Float64Array;
}

/** Builds head (with given weights, scaled to headShare) + a Zipf-Mandelbrot tail (the rest). */
function buildList(head: readonly (readonly [string, number])[], headShare: number, tail: readonly string[]): WeightedList {
  const seen = new Set(head.map(([w]) => w));
  // A fixed shuffle (not the user's seed): which tail names are common must not change with --seed.
  const rng = new Rng(0x5eed);
  const rest = [...new Set(tail)].filter((w) => !seen.has(w) && /^[A-Z][A-Za-z'-]+$/.test(w));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  const headTotal = head.reduce((s, [, w]) => s + w, 0);
  // Zipf-Mandelbrot weights 1/(rank + q) with q = tail length: the tail slopes gently (first
  // tail name about twice as common as the last) and every tail name stays rarer than the head.
  const q = rest.length;
  let harmonic = 0;
  for (let r = 1; r <= rest.length; r++) harmonic += 1 / (r + q);
  const words: string[] = [];
  const cumulative = new Float64Array(head.length + rest.length);
  let acc = 0;
  head.forEach(([w, weight], i) => {
    acc += (weight / headTotal) * headShare;
    words.push(w);
    cumulative[i] = acc;
  });
  rest.forEach((w, r) => {
    acc += (1 / (r + 1 + q) / harmonic) * (1 - headShare);
    words.push(w);
    cumulative[head.length + r] = acc;
  });
  return { words, cumulative };
}

export function sampleWord(list: WeightedList, rng: Rng): string {
  return list.words[rng.pickCumulative(list.cumulative)]!;
}

const censusHeadShare = CENSUS_2010_TOP_SURNAMES.reduce((s, [, p]) => s + p, 0) / 100_000;

const hispanicTail = es_MX.person?.last_name?.generic ?? [];
const HISPANIC_SURNAMES = new Set([...HISPANIC_HEAD, ...hispanicTail]);

export const surnames: WeightedList = buildList(CENSUS_2010_TOP_SURNAMES, censusHeadShare, [
  ...(en.person?.last_name?.generic ?? []),
  ...hispanicTail,
]);

const enFirst = en.person?.first_name;
const esFirst = es_MX.person?.first_name;
export const givenNames = {
  male: buildList(SSA_TOP_MALE, 0.3, enFirst?.male ?? []),
  female: buildList(SSA_TOP_FEMALE, 0.2, enFirst?.female ?? []),
  hispanicMale: buildList([], 0, esFirst?.male ?? []),
  hispanicFemale: buildList([], 0, esFirst?.female ?? []),
};

/** Whether a surname is of Spanish origin (drives given names and compound surnames). */
export function isHispanicSurname(surname: string): boolean {
  return HISPANIC_SURNAMES.has(surname);
}

/** Hispanic-surname list only, for the maternal half of a compound surname. */
export const hispanicSurnames: WeightedList = buildList(
  CENSUS_2010_TOP_SURNAMES.filter(([w]) => HISPANIC_HEAD.has(w)),
  0.5,
  hispanicTail,
);

export const streetNames: readonly string[] = en.location?.street_name ?? ['Main Street'];
export const streetSuffixes: readonly string[] = en.location?.street_suffix ?? ['Street'];
export const cityNames: readonly string[] = (en.location?.city_name ?? ['Springfield']).filter((c) => /^[A-Za-z .'-]+$/.test(c));
export const emailDomains: readonly string[] = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com'];
