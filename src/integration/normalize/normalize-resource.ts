/**
 * Normalization at entry: one resource (or every resource of a Bundle) in, the same resource
 * with codes, units and free-text values normalized out, plus the list of what changed and by
 * which table entry or rule. Pure: the input is not modified (the work is done on a copy).
 * A message handler calls it between mapping and storing:
 *
 *   const { bundle } = normalizeBundle(mapped, { source: 'hospital' });
 *
 * What is normalized, by resource type:
 * - Observation: code and component codes (local lab code → LOINC, the source's table),
 *   valueString (free text → components / quantity / coded value), quantities (unit → UCUM,
 *   then into the unit the LOINC code is kept in).
 * - DiagnosticReport, ServiceRequest: code (local lab or panel code → LOINC).
 * - Condition: a text-only code (`HTN`) → ICD-10-CM and SNOMED CT.
 * - MedicationRequest, MedicationStatement, MedicationAdministration, MedicationDispense
 *   (medicationCodeableConcept) and Medication (code): brand or generic → RxNorm ingredient.
 */
import type { Bundle, Condition, DiagnosticReport, Medication, Observation, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { NormalizationChange } from './codings.ts';
import { normalizeConditionConcept } from './condition-text.ts';
import { normalizeMedicationConcept } from './drugs.ts';
import { normalizeLabCode } from './lab-codes.ts';
import { normalizeObservationUnits, structureFreeTextValue } from './observation-values.ts';
import { shippedTables, type LabCodeTable, type NormalizationTables } from './tables.ts';

export interface SourceContext {
  /**
   * The sending source: a lab code table's `source` or one of its `aliases` (`hospital`, or the
   * HL7 mapper's sender `hosp_adt.general_hospital`). A source without a table gets no lab code
   * mapping; everything else still applies.
   */
  source: string;
  /** Tables to use; the shipped tables (tables/) when omitted. */
  tables?: NormalizationTables;
}

export interface NormalizeResult<T extends Resource> {
  resource: T;
  changes: NormalizationChange[];
}

/** The lab code table for a source, if it has one. */
export function labCodeTableFor(context: SourceContext): LabCodeTable | undefined {
  return (context.tables ?? shippedTables()).labCodes.get(context.source.toLowerCase());
}

type Normalizer = (resource: Resource, tables: NormalizationTables, labTable: LabCodeTable | undefined) => NormalizationChange[];

const medication: Normalizer = (r, tables) =>
  'medicationCodeableConcept' in r ? normalizeMedicationConcept(r.medicationCodeableConcept, tables.drugs, `${r.resourceType}.medicationCodeableConcept`) : [];
const labCode: Normalizer = (r, _tables, labTable) => normalizeLabCode((r as DiagnosticReport | ServiceRequest).code, labTable, `${r.resourceType}.code`);

/** What each resource type gets; types not listed pass through unchanged. */
const normalizers: Partial<Record<Resource['resourceType'], Normalizer>> = {
  Observation: (r, _tables, labTable) => {
    const obs = r as Observation;
    return [
      ...normalizeLabCode(obs.code, labTable, 'Observation.code'),
      ...(obs.component ?? []).flatMap((c, i) => normalizeLabCode(c.code, labTable, `Observation.component[${i}].code`)),
      ...structureFreeTextValue(obs),
      ...normalizeObservationUnits(obs),
    ];
  },
  DiagnosticReport: labCode,
  ServiceRequest: labCode,
  Condition: (r, tables) => normalizeConditionConcept((r as Condition).code, tables.conditions, 'Condition.code'),
  MedicationRequest: medication,
  MedicationStatement: medication,
  MedicationAdministration: medication,
  MedicationDispense: medication,
  Medication: (r, tables) => normalizeMedicationConcept((r as Medication).code, tables.drugs, 'Medication.code'),
};

/** Normalizes `resource` (a copy of it) for `context.source`. */
export function normalizeResource<T extends Resource>(resource: T, context: SourceContext): NormalizeResult<T> {
  const tables = context.tables ?? shippedTables();
  const copy = structuredClone(resource);
  const normalizer = normalizers[resource.resourceType];
  const changes = normalizer ? normalizer(copy, tables, labCodeTableFor({ ...context, tables })) : [];
  return { resource: copy, changes };
}

export interface BundleNormalizeResult {
  bundle: Bundle;
  /** Paths start at the Bundle: `Bundle.entry[3].resource.code.coding[1]`. */
  changes: (NormalizationChange & { entry: number })[];
}

/** Normalizes every entry's resource of a Bundle (a copy of it) for `context.source`. */
export function normalizeBundle(bundle: Bundle, context: SourceContext): BundleNormalizeResult {
  const tables = context.tables ?? shippedTables();
  const changes: BundleNormalizeResult['changes'] = [];
  const entry = (bundle.entry ?? []).map((e, i) => {
    if (!e.resource) return e;
    const result = normalizeResource(e.resource, { ...context, tables });
    const base = `Bundle.entry[${i}].resource`;
    for (const c of result.changes) changes.push({ ...c, path: c.path.replace(/^[A-Za-z]+/, base), entry: i });
    return { ...e, resource: result.resource };
  });
  return { bundle: { ...bundle, ...(bundle.entry ? { entry } : {}) }, changes };
}
