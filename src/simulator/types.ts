/**
 * The clean model: who the simulated people really are and what really happened to them.
 * Silos render (and damage) views of this; truth/ is derived from it.
 */
import type { ConditionKey } from './conditions.ts';

export type Sex = 'female' | 'male';

export interface Address {
  line1: string;
  city: string;
  state: string;
  zip: string;
}

/** Where a household lives, and its landline if it has one, from a given day on. */
export interface Residence {
  fromDay: number;
  address: Address;
  homePhone?: string;
}

export interface Person {
  index: number;
  id: string;
  householdIndex: number;
  householdId: string;
  /** Relationship to the householder (the household's first member). */
  relationship: 'self' | 'spouse' | 'child' | 'other';
  sex: Sex;
  birthDay: number;
  given: string;
  middle: string;
  family: string;
  /** Surname at birth, when marriage changed it. */
  maidenName?: string;
  ssn: string;
  mobile?: string;
  email?: string;
  language: 'en' | 'es' | 'vi';
  /** Index of the person's twin (same birth day), when there is one. */
  twinOf?: number;
  deathDay?: number;
  conditions: ConditionKey[];
}

export interface Household {
  index: number;
  id: string;
  people: Person[];
  /** Residences in time order; a second entry means the household moved during the period. */
  residences: Residence[];
}

/** Settings shared by every household generator call. */
export interface SimulationContext {
  seed: number;
  /** First day of the measurement period (--start-date). */
  startDay: number;
  /** Last day of the measurement period (one year later, minus a day). */
  endDay: number;
  /** The region's cities and their ZIP codes for this seed. */
  cities: readonly { city: string; zip: string }[];
}

/** The residence in effect on a day. */
export function residenceOn(household: Household, day: number): Residence {
  let current = household.residences[0]!;
  for (const r of household.residences) if (r.fromDay <= day) current = r;
  return current;
}
