/**
 * Units → UCUM (http://unitsofmeasure.org/ucum.html), and conversions between them with the
 * NLM's ucum-lhc. Senders write units for people (`mmHg`, `mEq/L`, `K/uL`); UCUM codes are for
 * machines (`mm[Hg]`, `meq/L`, `10*3/uL`). Spellings that are valid UCUM but mean something
 * else are the trap: `K/uL` parses as kelvin per microlitre and `C` as coulomb, so the alias
 * table below is consulted *before* asking ucum-lhc whether the text is already UCUM.
 */
import { createRequire } from 'node:module';

interface UcumUtils {
  validateUnitString(unit: string): { status: 'valid' | 'invalid' | 'error'; ucumCode: string | null };
  convertUnitTo(
    from: string,
    value: number,
    to: string,
    options?: { molecularWeight?: number; charge?: number },
  ): { status: 'succeeded' | 'failed' | 'error'; toVal: number | null };
}

let utils: UcumUtils | undefined;

function ucum(): UcumUtils {
  // A CommonJS package without type declarations, loaded on first use (see record/search/ucum.ts).
  utils ??= (createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } }).UcumLhcUtils.getInstance();
  return utils;
}

/**
 * Unit spellings seen in lab and vital-sign feeds → UCUM. Keys are compared case-sensitively
 * first, then lower-cased (`MG/DL`), because UCUM itself is case-sensitive (`mL` vs `ML`).
 */
const unitAliases: Readonly<Record<string, string>> = {
  mmHg: 'mm[Hg]',
  'mm Hg': 'mm[Hg]',
  mmhg: 'mm[Hg]',
  bpm: '/min',
  'beats/min': '/min',
  'beats per minute': '/min',
  'breaths/min': '/min',
  'per min': '/min',
  mEq: 'meq',
  'mEq/L': 'meq/L',
  meq: 'meq',
  'IU/L': '[IU]/L',
  'IU/mL': '[IU]/mL',
  'mIU/L': 'm[IU]/L',
  'uIU/mL': 'u[IU]/mL',
  'K/uL': '10*3/uL',
  'K/mm3': '10*3/uL',
  'k/ul': '10*3/uL',
  'x10^3/uL': '10*3/uL',
  'x10E3/uL': '10*3/uL',
  '10^3/uL': '10*3/uL',
  'thou/uL': '10*3/uL',
  'x10^9/L': '10*9/L',
  '10^9/L': '10*9/L',
  'M/uL': '10*6/uL',
  'x10^6/uL': '10*6/uL',
  'x10E6/uL': '10*6/uL',
  '10^6/uL': '10*6/uL',
  'mil/uL': '10*6/uL',
  'x10^12/L': '10*12/L',
  '10^12/L': '10*12/L',
  'kg/m^2': 'kg/m2',
  'kg/m²': 'kg/m2',
  mcg: 'ug',
  'mcg/dL': 'ug/dL',
  'mcg/mL': 'ug/mL',
  'µg': 'ug',
  'µmol/L': 'umol/L',
  'μmol/L': 'umol/L',
  C: 'Cel',
  '°C': 'Cel',
  degC: 'Cel',
  F: '[degF]',
  '°F': '[degF]',
  degF: '[degF]',
  lb: '[lb_av]',
  lbs: '[lb_av]',
  in: '[in_i]',
  inch: '[in_i]',
  inches: '[in_i]',
  ft: '[ft_i]',
  oz: '[oz_av]',
  sec: 's',
  secs: 's',
  hr: 'h',
  hrs: 'h',
  cc: 'mL',
  gm: 'g',
  percent: '%',
  // Upper-case-only senders (MG/DL): looked up lower-cased, written in UCUM's case.
  'mg/dl': 'mg/dL',
  'g/dl': 'g/dL',
  'ug/dl': 'ug/dL',
  'mg/l': 'mg/L',
  'g/l': 'g/L',
  'mmol/l': 'mmol/L',
  'umol/l': 'umol/L',
  'meq/l': 'meq/L',
  'u/l': 'U/L',
  'ng/ml': 'ng/mL',
  'pg/ml': 'pg/mL',
  ml: 'mL',
};

export interface UcumUnit {
  code: string;
  /** `unit-alias:mmHg` or `ucum-valid` (the text already was UCUM). */
  rule: string;
}

/** Whether ucum-lhc accepts `code` as a UCUM expression as written. */
export function isValidUcum(code: string): boolean {
  if (code.trim() === '') return false;
  try {
    const result = ucum().validateUnitString(code);
    return result.status === 'valid' && result.ucumCode === code;
  } catch {
    return false; // ucum-lhc throws on some malformed input rather than reporting it
  }
}

/** The UCUM code for a unit as a sender wrote it, or undefined when it is not a unit we know. */
export function ucumCodeFor(text: string): UcumUnit | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const alias = unitAliases[trimmed] ?? unitAliases[trimmed.toLowerCase()];
  // `MG/DL` is valid UCUM too (megagram per decalitre): the alias decides before validity.
  if (alias && alias !== trimmed) return { code: alias, rule: `unit-alias:${trimmed}` };
  if (isValidUcum(trimmed)) return { code: trimmed, rule: 'ucum-valid' };
  return undefined;
}

export interface ConversionFactors {
  molarMass?: number;
  charge?: number;
}

/**
 * `value` in `from` expressed in `to` (UCUM codes), or undefined when they do not convert with
 * what is given (mass ↔ substance needs a molar mass, equivalents a charge).
 */
export function convertUnit(value: number, from: string, to: string, factors: ConversionFactors = {}): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (from === to) return value;
  try {
    const result = ucum().convertUnitTo(from, value, to, {
      ...(factors.molarMass ? { molecularWeight: factors.molarMass } : {}),
      ...(factors.charge ? { charge: factors.charge } : {}),
    });
    return result.status === 'succeeded' && typeof result.toVal === 'number' && Number.isFinite(result.toVal) ? result.toVal : undefined;
  } catch {
    return undefined;
  }
}

/** Rounds half away from zero to `decimals` places (Number.toFixed is binary, 1.005 → 1.00). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(Number(scaled.toPrecision(12))) / factor;
  return value < 0 ? -rounded : rounded;
}
