export { ensureStructureDefinitions, baseSearchParameters, resourceTypes } from './definitions.ts';
export { isInPatientCompartment, patientReferencesOf } from './compartment.ts';
export { assertValidResource } from './validate.ts';
export { applyJsonPatch, type PatchOperation } from './json-patch.ts';
