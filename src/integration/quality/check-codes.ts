/**
 * Codes and identifiers wherever they occur: each Coding under a system we can check, each NPI
 * identifier (an Identifier, or a Reference's identifier), and each UCUM quantity's unit code.
 */
import { isValidUcum } from '../normalize/units.ts';
import { icd10cmShape, isCptShape, isHcpcsLevel2Shape, isValidLoinc, isValidNpi } from './code-systems.ts';
import { finding, type QualityFinding } from './finding.ts';
import { walkResource } from './walk.ts';

const LOINC = 'http://loinc.org';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const CPT = 'http://www.ama-assn.org/go/cpt';
const HCPCS = new Set(['urn:oid:2.16.840.1.113883.6.285', 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets']);
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const UCUM = 'http://unitsofmeasure.org';

function checkCoding(system: string, code: string, location: string): QualityFinding[] {
  if (system === LOINC && !isValidLoinc(code)) {
    return [finding('code-loinc', 'error', `${location}.code`, `LOINC code '${code}' is not valid (shape NNNNN-N with a mod-10 check digit)`)];
  }
  if (system === ICD10CM) {
    const shape = icd10cmShape(code);
    if (shape === 'missing-dot') return [finding('code-icd10cm', 'warning', `${location}.code`, `ICD-10-CM code '${code}' lacks its dot (FHIR uses ${code.slice(0, 3)}.${code.slice(3)})`)];
    if (shape === 'invalid') return [finding('code-icd10cm', 'error', `${location}.code`, `'${code}' is not an ICD-10-CM code (letter, two characters, optional dot and up to four more)`)];
  }
  if (system === CPT && !isCptShape(code)) {
    return isHcpcsLevel2Shape(code)
      ? [finding('code-cpt', 'warning', `${location}.code`, `'${code}' is a HCPCS Level II code sent under the CPT system`)]
      : [finding('code-cpt', 'error', `${location}.code`, `'${code}' is not a CPT code (four digits and a digit, F, T or U)`)];
  }
  if (HCPCS.has(system) && !isHcpcsLevel2Shape(code) && !isCptShape(code)) {
    return [finding('code-hcpcs', 'error', `${location}.code`, `'${code}' is not a HCPCS code (Level II: a letter and four digits; Level I: CPT)`)];
  }
  return [];
}

export function checkCodes(resource: { resourceType: string }): QualityFinding[] {
  const found: QualityFinding[] = [];
  walkResource(resource, (node, location) => {
    const system = typeof node.system === 'string' ? node.system : undefined;
    if (!system) return;
    if (typeof node.code === 'string' && typeof node.value !== 'number') found.push(...checkCoding(system, node.code.trim(), location));
    if (system === NPI && typeof node.value === 'string' && !isValidNpi(node.value.trim())) {
      found.push(finding('identifier-npi', 'error', `${location}.value`, `NPI '${node.value}' is not valid (ten digits starting 1 or 2, Luhn check digit with prefix 80840)`));
    }
    if (system === UCUM && typeof node.value === 'number' && typeof node.code === 'string' && !isValidUcum(node.code)) {
      found.push(finding('code-ucum', 'error', `${location}.code`, `'${node.code}' is not a UCUM unit code`));
    }
  });
  return found;
}
