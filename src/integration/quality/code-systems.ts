/**
 * Code shapes and check digits: what can be known about a code without the code system's
 * release. A code that passes may still not exist; one that fails is certainly wrong (a typo,
 * a shifted column, a code under the wrong system).
 */

/** Luhn (ISO/IEC 7812-1): the check digit is the last digit of `digits`. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A LOINC code: up to 7 digits, a hyphen and a mod-10 check digit (LOINC Users' Guide,
 * "Calculating Mod 10 check digits": the Luhn algorithm over the code's digits). LOINC answer
 * (LA), part (LP) and group (LG) codes are accepted by shape.
 */
export function isValidLoinc(code: string): boolean {
  if (/^L[APG]\d{1,8}-\d$/.test(code)) return true;
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  return m !== null && luhnValid(`${m[1]}${m[2]}`);
}

/**
 * ICD-10-CM (CDC/NCHS): a letter, two digits or digit + letter for the category, then, after a
 * dot, up to four characters (`E11.9`, `S72.001A`, `U07.1`). The FHIR code system
 * (http://hl7.org/fhir/sid/icd-10-cm) uses the dotted form.
 */
export function icd10cmShape(code: string): 'valid' | 'missing-dot' | 'invalid' {
  if (/^[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?$/.test(code)) return 'valid';
  if (/^[A-Z]\d[0-9A-Z][0-9A-Z]{1,4}$/.test(code)) return 'missing-dot';
  return 'invalid';
}

/**
 * CPT (AMA): five characters, four digits and a digit (Category I), `F` (Category II), `T`
 * (Category III) or `U` (proprietary laboratory analyses).
 */
export function isCptShape(code: string): boolean {
  return /^\d{4}[0-9FTU]$/.test(code);
}

/** HCPCS Level II (CMS): a letter A–V and four digits (`G0121`, `J3490`). */
export function isHcpcsLevel2Shape(code: string): boolean {
  return /^[A-V]\d{4}$/.test(code);
}

/**
 * NPI (CMS, "Requirements for NPI check digit"): ten digits, the last a Luhn check digit
 * computed with the prefix 80840 (the NPI's ISO 7812 issuer identifier) in front.
 */
export function isValidNpi(npi: string): boolean {
  return /^[12]\d{9}$/.test(npi) && luhnValid(`80840${npi}`);
}
