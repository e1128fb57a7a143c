/**
 * UCUM normalization for quantity search (http://hl7.org/fhir/R4/search.html#quantity: "the
 * server SHOULD canonicalize units ... so that 1 mg and 1000 ug match"). Values are converted
 * to UCUM base units (m, s, g, rad, K, C, cd) with the NLM's ucum-lhc library, and the base
 * unit's dimension becomes the canonical unit string compared in SQL: 5.5 mg/dL -> 55 "g.m-3",
 * 7.5 % -> 0.075 "1".
 *
 * Measured once on this machine: ucum-lhc loads its unit tables in ~16 ms and a
 * convertToBaseUnits call costs ~18 µs. Indexing calls it per quantity, so each unit's linear
 * factor is cached; special units (Cel, [degF], ...), whose conversion is a function rather
 * than a factor, are converted on every call.
 */
import { createRequire } from 'node:module';

export const ucumSystem = 'http://unitsofmeasure.org';

interface BaseUnitsResult {
  status: 'succeeded' | 'invalid' | 'failed' | 'error';
  magnitude?: number;
  unitToExp?: Record<string, number>;
  fromUnitIsSpecial?: boolean;
}

interface UcumUtils {
  convertToBaseUnits(unit: string, value: number): BaseUnitsResult;
}

let utils: UcumUtils | undefined;

function ucum(): UcumUtils {
  if (!utils) {
    // A CommonJS package without type declarations: loaded through require, typed by the
    // interface above (the part of its API used here), on first use.
    const ucumPackage = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
    utils = ucumPackage.UcumLhcUtils.getInstance();
  }
  return utils;
}

/** How one unit converts: a factor to its canonical unit, or a function for special units. */
interface UnitConversion {
  canonicalUnit: string;
  /** undefined for a special unit, converted value by value. */
  factor?: number;
}

/** Keyed by unit code; null for a unit that does not convert. Bounded: units come from input. */
const conversions = new Map<string, UnitConversion | null>();
const maxCachedUnits = 2000;

/** `g.m-3`: the base units and exponents, in a fixed order; dimensionless is `1`. */
function canonicalUnitOf(unitToExp: Record<string, number>): string {
  const parts = Object.entries(unitToExp)
    .filter(([, exp]) => exp !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([unit, exp]) => (exp === 1 ? unit : `${unit}${exp}`));
  return parts.length === 0 ? '1' : parts.join('.');
}

function conversionOf(unit: string): UnitConversion | null {
  const cached = conversions.get(unit);
  if (cached !== undefined) return cached;
  let conversion: UnitConversion | null = null;
  const one = safeConvert(unit, 1);
  if (one) {
    if (!one.special) conversion = { canonicalUnit: one.canonicalUnit, factor: one.value };
    else {
      // A special unit whose conversion decreases ([pH]) would turn gt into lt; such units are
      // compared as written only.
      const two = safeConvert(unit, 2);
      if (two && two.value > one.value) conversion = { canonicalUnit: one.canonicalUnit };
    }
  }
  if (conversions.size >= maxCachedUnits) conversions.clear();
  conversions.set(unit, conversion);
  return conversion;
}

function safeConvert(unit: string, value: number): { value: number; canonicalUnit: string; special: boolean } | undefined {
  let result: BaseUnitsResult;
  try {
    result = ucum().convertToBaseUnits(unit, value);
  } catch {
    return undefined; // ucum-lhc throws on some malformed input rather than reporting it
  }
  if (result.status !== 'succeeded' || typeof result.magnitude !== 'number' || !Number.isFinite(result.magnitude) || !result.unitToExp) {
    return undefined;
  }
  return { value: result.magnitude, canonicalUnit: canonicalUnitOf(result.unitToExp), special: result.fromUnitIsSpecial === true };
}

/**
 * Binary floating point turns 5 × 10*3/uL into 4999999999999.999; 15 significant digits is
 * below a double's precision, so conversions of equal quantities compare equal in SQL.
 */
function roundFloat(value: number): string {
  return String(Number(value.toPrecision(15)));
}

export interface CanonicalQuantity {
  /** Decimal text for a numeric column or parameter. */
  value: string;
  unit: string;
}

/** `value` in `unit`, in canonical UCUM units; undefined when the unit does not convert. */
export function toCanonical(value: number, unit: string): CanonicalQuantity | undefined {
  if (unit === '' || !Number.isFinite(value)) return undefined;
  const conversion = conversionOf(unit);
  if (!conversion) return undefined;
  if (conversion.factor !== undefined) return { value: roundFloat(value * conversion.factor), unit: conversion.canonicalUnit };
  const converted = safeConvert(unit, value);
  return converted ? { value: roundFloat(converted.value), unit: conversion.canonicalUnit } : undefined;
}

/** Whether a unit code converts to canonical units (search values check before converting). */
export function isConvertibleUnit(unit: string): boolean {
  return unit !== '' && conversionOf(unit) !== null;
}

/**
 * The UCUM unit of a stored quantity, if it has one: its code under the UCUM system, or with
 * no system a code (else unit text) that parses as UCUM. Other systems keep their own codes.
 */
export function ucumUnitOf(quantity: { system?: string; code?: string; unit?: string }): string | undefined {
  if (quantity.system === ucumSystem) return quantity.code ?? quantity.unit;
  if (quantity.system) return undefined;
  const candidate = quantity.code ?? quantity.unit;
  return candidate !== undefined && isConvertibleUnit(candidate) ? candidate : undefined;
}
