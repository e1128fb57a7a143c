/**
 * Postal addresses, USPS style (Publication 28: Appendix C1 street suffixes, C2 secondary unit
 * designators, directionals): "1683 North 9th St., Apt #4B" → number 1683, street "n 9th st",
 * unit "4b". ZIP+4 is cut to ZIP5; other countries' postal codes are kept folded.
 */
import { foldText, tokens } from './text.ts';

const SUFFIX: Readonly<Record<string, string>> = {
  street: 'st', str: 'st', strt: 'st', avenue: 'ave', av: 'ave', aven: 'ave', avenu: 'ave', avn: 'ave',
  road: 'rd', drive: 'dr', drv: 'dr', boulevard: 'blvd', boul: 'blvd', lane: 'ln', court: 'ct', circle: 'cir',
  circ: 'cir', circuit: 'cir', place: 'pl', square: 'sq', terrace: 'ter', parkway: 'pkwy', highway: 'hwy',
  trail: 'trl', way: 'way', crescent: 'cres', close: 'cl', grove: 'grv', heights: 'hts', point: 'pt',
  spurs: 'spurs', glens: 'glns', glen: 'gln', view: 'vw', crossing: 'xing', expressway: 'expy', freeway: 'fwy',
  mount: 'mt', mountain: 'mtn', center: 'ctr', centre: 'ctr', plaza: 'plz', ridge: 'rdg', alley: 'aly',
  loop: 'loop', path: 'path', pike: 'pike', run: 'run', walk: 'walk', row: 'row', cove: 'cv', creek: 'crk',
  estates: 'est', gardens: 'gdns', harbor: 'hbr', hill: 'hl', hills: 'hls', island: 'is', lake: 'lk',
  meadows: 'mdws', park: 'park', station: 'sta', valley: 'vly', village: 'vlg', commons: 'cmns',
};
const DIRECTION: Readonly<Record<string, string>> = {
  north: 'n', south: 's', east: 'e', west: 'w', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};
const UNIT = new Set(['apt', 'apartment', 'unit', 'ste', 'suite', 'fl', 'floor', 'rm', 'room', 'bldg', 'building', 'lot', 'trlr', 'spc', 'no']);

export interface NormalizedAddress {
  /** House number (digits and an optional letter), when present. */
  number?: string;
  /** Street name with USPS abbreviations, without number or unit. */
  street?: string;
  unit?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  /** The postal code's wider area (postalArea), when it has one. */
  postalArea?: string;
}

export interface AddressInput {
  line?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  postalCode?: string | undefined;
}

/** Normalizes the street line into number, street and unit. */
export function normalizeStreetLine(raw: string | undefined | null): Pick<NormalizedAddress, 'number' | 'street' | 'unit'> {
  // "#4B" is a unit even without a designator.
  const text = foldText((raw ?? '').replace(/#\s*/g, ' unit '));
  let parts = tokens(text);
  const out: Pick<NormalizedAddress, 'number' | 'street' | 'unit'> = {};
  const unitAt = parts.findIndex((t, i) => i > 0 && UNIT.has(t));
  if (unitAt > 0) {
    const unit = parts.slice(unitAt + 1).filter((t) => !UNIT.has(t)).join('');
    if (unit) out.unit = unit;
    parts = parts.slice(0, unitAt);
  }
  if (parts.length > 0 && /^\d+[a-z]?$/.test(parts[0] ?? '')) {
    out.number = parts[0] as string;
    parts = parts.slice(1);
  }
  const street = parts.map((t) => SUFFIX[t] ?? DIRECTION[t] ?? t).join(' ');
  if (street) out.street = street;
  return out;
}

/** ZIP5 for US ZIP / ZIP+4 values; other postal codes folded without spaces. */
export function normalizePostalCode(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const text = foldText(raw).replace(/ /g, '');
  if (text === '') return undefined;
  const zip = /^(\d{5})(\d{4})?$/.exec(text);
  return zip ? zip[1] : text;
}

export function normalizeAddress(input: AddressInput): NormalizedAddress | undefined {
  const out: NormalizedAddress = { ...normalizeStreetLine(input.line) };
  const city = foldText(input.city);
  if (city) out.city = city;
  const state = foldText(input.state);
  if (state) out.state = state;
  const postalCode = normalizePostalCode(input.postalCode);
  if (postalCode) out.postalCode = postalCode;
  const area = postalArea(postalCode);
  if (area) out.postalArea = area;
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * The wider area a postal code belongs to: the UK outward code ("SW1A 2BJ" → "sw1a": the inward
 * code is always a digit and two letters) or the US 3-digit ZIP prefix (sectional center). Two
 * records of one person often carry different full codes of one area (a move within the town,
 * a mistyped last characters). Undefined for other forms.
 */
export function postalArea(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const uk = /^([a-z]{1,2}\d[a-z\d]?)\d[a-z]{2}$/.exec(code);
  if (uk) return uk[1];
  return /^\d{5}$/.test(code) ? code.slice(0, 3) : undefined;
}
