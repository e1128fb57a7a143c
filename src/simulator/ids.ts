/**
 * Identifier schemes. Each silo numbers people its own way; ids are an affine permutation
 * of the person index (x -> a*x + b mod 10^k, a coprime to 10), with a and b drawn from the
 * seed per silo. That keeps ids unique without any lookup table (so nothing grows with N)
 * while making sure that sorting two silos by id does not line their people up: an identity
 * matcher has to match on content, not on id order.
 */
import { createRng } from './random.ts';

export type SiloName = 'ehr-clinic' | 'hospital' | 'payer' | 'crm' | 'labs';

export const siloNames: readonly SiloName[] = ['ehr-clinic', 'hospital', 'payer', 'crm', 'labs'];

const SPACE = 100_000_000; // 10^8 ids per scheme

/** (a * x) mod 10^8 without leaving the exact range of doubles. */
function mulMod(a: number, x: number): number {
  const hi = Math.floor(x / 10_000);
  const lo = x % 10_000;
  return (((a * hi) % SPACE) * 10_000 + a * lo) % SPACE;
}

export interface IdScheme {
  /** 8-digit number for slot x (x < 10^8), distinct for distinct x. */
  permute(x: number): string;
}

export function createIdScheme(seed: number, tag: string): IdScheme {
  const rng = createRng(seed, 'ids', tag);
  let a = rng.int(10_000_000, SPACE - 1);
  while (a % 2 === 0 || a % 5 === 0) a++;
  const b = rng.int(0, SPACE - 1);
  return { permute: (x) => String((mulMod(a, x) + b) % SPACE).padStart(8, '0') };
}

/** Slots above this offset hold a silo's second id for the same person (duplicate MRNs). */
export const DUPLICATE_SLOT_OFFSET = 50_000_000;

export interface IdFactory {
  personId(index: number): string;
  householdId(index: number): string;
  clinicMrn(index: number): string;
  hospitalMrn(index: number, duplicate?: boolean): string;
  memberId(index: number): string;
  contactId(index: number): string;
  labPatientId(index: number): string;
  /** Prefix for a person's HL7 message control ids, unique per silo and person. */
  messagePrefix(silo: 'hospital' | 'labs', index: number): string;
}

export function createIdFactory(seed: number): IdFactory {
  const clinic = createIdScheme(seed, 'ehr-clinic');
  const hospital = createIdScheme(seed, 'hospital');
  const payer = createIdScheme(seed, 'payer');
  const crm = createIdScheme(seed, 'crm');
  const labs = createIdScheme(seed, 'labs');
  const hospitalMsg = createIdScheme(seed, 'hospital-msg');
  const labsMsg = createIdScheme(seed, 'labs-msg');
  return {
    personId: (i) => `P${String(i + 1).padStart(7, '0')}`,
    householdId: (i) => `H${String(i + 1).padStart(7, '0')}`,
    clinicMrn: (i) => `C${clinic.permute(i)}`,
    hospitalMrn: (i, duplicate = false) => `${hospital.permute(duplicate ? i + DUPLICATE_SLOT_OFFSET : i)}`,
    memberId: (i) => `M${payer.permute(i)}01`,
    contactId: (i) => `CRM-${crm.permute(i)}`,
    labPatientId: (i) => `RL${labs.permute(i)}`,
    messagePrefix: (silo, i) => (silo === 'hospital' ? `HM${hospitalMsg.permute(i)}` : `RL${labsMsg.permute(i)}`),
  };
}
