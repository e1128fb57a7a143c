/**
 * The simulated organization's clinicians and facilities, with NPIs that pass the NPI check
 * digit (Luhn over the prefix 80840 plus the first 9 digits, per the CMS NPI check digit
 * specification). Drawn from the seed, so they are not real providers' NPIs by design,
 * though a random valid NPI may coincide with an issued one.
 */
import { drawGivenName, drawSurname } from './population.ts';
import { createRng } from './random.ts';

export interface Provider {
  npi: string;
  family: string;
  given: string;
}

export interface Providers {
  clinic: readonly Provider[];
  hospital: readonly Provider[];
  clinicOrgNpi: string;
  hospitalOrgNpi: string;
  labOrgNpi: string;
}

/** Luhn check digit of "80840" + the 9 leading NPI digits. */
export function npiCheckDigit(first9: string): number {
  const digits = `80840${first9}`;
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function createProviders(seed: number): Providers {
  const rng = createRng(seed, 'providers');
  const npi = (first: '1' | '2') => {
    const first9 = first + rng.digits(8);
    return first9 + String(npiCheckDigit(first9));
  };
  const person = (): Provider => {
    const family = drawSurname(rng);
    return { npi: npi('1'), family, given: drawGivenName(rng.chance(0.5) ? 'female' : 'male', family, rng) };
  };
  return {
    clinic: Array.from({ length: 40 }, person),
    hospital: Array.from({ length: 60 }, person),
    clinicOrgNpi: npi('2'),
    hospitalOrgNpi: npi('2'),
    labOrgNpi: npi('2'),
  };
}
