/**
 * C-CDA R1.1 / R2.0 / R2.1 document → FHIR R4 transaction Bundle, plus the list of what could
 * not be mapped (location and reason). docs/integration.md, "C-CDA", describes the maps.
 *
 * Hand-written over fast-xml-parser rather than @medplum/ccda: measured on the 22 documents of
 * ../shared/data/ccda/ms-fhir-converter/, @medplum/ccda 4.1.6 (the release matching our
 * @medplum/core 4.1.6; 5.x requires core 5) threw on 13 of them ("Unhandled act templateId",
 * "n.section is not iterable"), mints random ids (a re-import would duplicate everything),
 * writes offsets FHIR refuses (`-0500`), and drops what it does not know without saying so.
 * Mapping entries by their template here lets every unknown template be reported where it is.
 *
 * Entries are dispatched by their template, not by the section they sit in: a Problem
 * Observation is a Condition in the Problems section and in History of Past Illness alike.
 * Every write is `PUT Type/id` with an id derived from the document and entry ids
 * (ccda-context.ts), so importing the same document again changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Bundle, CompositionSection, Resource } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { ALLERGY_CONCERN, mapAllergyConcern } from './allergies.ts';
import { CcdaContext, type CcdaMapOptions, type Unmapped } from './ccda-context.ts';
import { child, children, decodeXml, descend, parseCdaXml, templateIds, textContent, type CdaNode } from './cda-xml.ts';
import { compositionSection, mapComposition, mapDocumentReference, mapProvenance } from './document.ts';
import { statementOf } from './entries.ts';
import { IMMUNIZATION_ACTIVITY, mapImmunizationActivity } from './immunizations.ts';
import { MEDICATION_ACTIVITY, mapMedicationActivity } from './medications.ts';
import {
  FUNCTIONAL_STATUS_OBSERVATION,
  FUNCTIONAL_STATUS_ORGANIZER,
  INDICATION,
  MENTAL_STATUS_OBSERVATION,
  MENTAL_STATUS_ORGANIZER,
  NUTRITIONAL_STATUS_OBSERVATION,
  PROCEDURE_OBSERVATION,
  RESULT_OBSERVATION,
  RESULT_ORGANIZER,
  SOCIAL_HISTORY_OBSERVATIONS,
  VITAL_SIGN_OBSERVATION,
  VITAL_SIGNS_ORGANIZER,
  mapNutritionalStatus,
  mapObservation,
  mapResultOrganizer,
  mapStatusOrganizer,
  mapVitalSignsOrganizer,
} from './observations.ts';
import { mapPatient, patientKeyOf } from './patient.ts';
import { DIAGNOSIS_ACTS, PROBLEM_CONCERN, PROBLEM_OBSERVATION, mapProblemAct, mapProblemObservation } from './problems.ts';
import {
  ENCOUNTER_ACTIVITY,
  PROCEDURE_ACTIVITY_ACT,
  PROCEDURE_ACTIVITY_PROCEDURE,
  mapEncompassingEncounter,
  mapEncounterActivity,
  mapProcedure,
} from './procedures-encounters.ts';

export interface CcdaMapping {
  bundle: Bundle;
  unmapped: Unmapped[];
}

type EntryMapper = (ctx: CcdaContext, statement: CdaNode) => void;

/** Entry templates (C-CDA R2.1 Vol. 2) and what maps them. */
const ENTRY_MAPPERS: ReadonlyArray<[readonly string[], EntryMapper]> = [
  [[ALLERGY_CONCERN], mapAllergyConcern],
  [[PROBLEM_CONCERN], (ctx, s) => mapProblemAct(ctx, s, 'problem-list-item')],
  [DIAGNOSIS_ACTS, (ctx, s) => mapProblemAct(ctx, s, 'encounter-diagnosis')],
  [[PROBLEM_OBSERVATION], (ctx, s) => void mapProblemObservation(ctx, s, 'problem-list-item')],
  [[MEDICATION_ACTIVITY], mapMedicationActivity],
  [[IMMUNIZATION_ACTIVITY], mapImmunizationActivity],
  [[RESULT_ORGANIZER], mapResultOrganizer],
  [[RESULT_OBSERVATION], (ctx, s) => void mapObservation(ctx, s, 'laboratory')],
  [[VITAL_SIGNS_ORGANIZER], mapVitalSignsOrganizer],
  [[VITAL_SIGN_OBSERVATION], (ctx, s) => void mapObservation(ctx, s, 'vital-signs')],
  [SOCIAL_HISTORY_OBSERVATIONS, (ctx, s) => void mapObservation(ctx, s, 'social-history')],
  [[PROCEDURE_OBSERVATION], mapProcedureActivityObservation],
  [[FUNCTIONAL_STATUS_ORGANIZER, MENTAL_STATUS_ORGANIZER], mapStatusOrganizer],
  [[FUNCTIONAL_STATUS_OBSERVATION, MENTAL_STATUS_OBSERVATION], (ctx, s) => void mapObservation(ctx, s, undefined)],
  [[NUTRITIONAL_STATUS_OBSERVATION], mapNutritionalStatus],
  [[INDICATION], (ctx, s) => void mapObservation(ctx, s, undefined)],
  [[PROCEDURE_ACTIVITY_PROCEDURE, PROCEDURE_ACTIVITY_ACT], mapProcedure],
  [[ENCOUNTER_ACTIVITY], mapEncounterActivity],
];

/**
 * Procedure Activity Observation (4.13) is an observation template; C-CDA on FHIR ("Procedures",
 * note on template selection) maps it to an Observation, as it carries a value. Some senders put
 * its templateId on a `<procedure>` element (EMERGE Patient-1: classCode="OBS"): that element is a
 * CDA Procedure, which has no value, so the claim cannot hold and it maps as a Procedure.
 */
function mapProcedureActivityObservation(ctx: CcdaContext, statement: CdaNode): void {
  if (statement.tag === 'procedure') mapProcedure(ctx, statement);
  else mapObservation(ctx, statement, 'procedure');
}

function mapperFor(statement: CdaNode): EntryMapper | undefined {
  const ids = templateIds(statement);
  return ENTRY_MAPPERS.find(([roots]) => roots.some((r) => ids.includes(r)))?.[1];
}

/**
 * Maps a C-CDA document to a FHIR R4 transaction Bundle.
 * @param xml - the document, as text or bytes (UTF-8, or the encoding its declaration names)
 * @param options - default time offset, message store id and channel, receive time
 * @returns the Bundle and what was not mapped; throws LongitudeError LNG_CCDA_* when the input is no readable CDA document
 */
export function mapCcdaToBundle(xml: string | Uint8Array, options: CcdaMapOptions = {}): CcdaMapping {
  const text = decodeXml(xml);
  const bytes = typeof xml === 'string' ? new TextEncoder().encode(xml) : xml;
  const root = parseCdaXml(text, options.maxBytes);
  if (root.tag !== 'ClinicalDocument') {
    throw new LongitudeError('LNG_CCDA_NOT_A_DOCUMENT', `the root element is <${root.tag}>, not <ClinicalDocument>`, {
      issues: [{ severity: 'error', code: 'structure', diagnostics: `root element <${root.tag}>`, expression: [root.path] }],
    });
  }
  const docId = child(root, 'id');
  const unmappedBefore: Unmapped[] = [];
  let documentKey = docId?.attr.root ? `${docId.attr.root}|${docId.attr.extension ?? ''}` : undefined;
  if (!documentKey) {
    // Without a document id, the content itself is the identity: the same bytes give the same ids.
    documentKey = `sha1:${createHashHex(bytes)}`;
    unmappedBefore.push({ path: '/ClinicalDocument/id', reason: 'the document has no id: resource ids are derived from its content hash' });
  }
  const ctx = new CcdaContext(root, documentKey, patientKeyOf(root) ?? documentKey, collectNarrative(root), options);
  ctx.unmapped.push(...unmappedBefore);
  mapPatient(ctx);
  const encounter = mapEncompassingEncounter(ctx);
  const structured = descend(root, 'component/structuredBody');
  const sections = children(structured, 'component')
    .map((c) => child(c, 'section'))
    .filter((s): s is CdaNode => !!s)
    .map((s) => mapSection(ctx, s));
  if (!structured && !descend(root, 'component/nonXMLBody')) ctx.report('/ClinicalDocument/component', 'the document has neither a structuredBody nor a nonXMLBody');
  ctx.currentSection = undefined;
  const documentRef = mapDocumentReference(ctx, bytes, !!structured);
  mapComposition(ctx, sections, encounter);
  mapProvenance(ctx, documentRef);
  return { bundle: toTransaction(ctx.resources), unmapped: ctx.unmapped };
}

/** A section: its entries by template (unknown ones reported), its subsections, its Composition.section. */
function mapSection(ctx: CcdaContext, section: CdaNode): CompositionSection {
  const title = textContent(child(section, 'title')) || child(section, 'code')?.attr.displayName || 'untitled';
  for (const entry of children(section, 'entry')) {
    ctx.currentSection = section.path;
    const statement = statementOf(entry);
    if (!statement) {
      ctx.report(entry.path, `section "${title}": entry without a clinical statement`);
      continue;
    }
    const mapper = mapperFor(statement);
    if (!mapper) {
      const ids = templateIds(statement);
      ctx.report(entry.path, `section "${title}": ${statement.tag} ${ids.length ? `template ${ids.join(', ')}` : 'without a templateId'} is not mapped (narrative kept in Composition.section.text)`);
      continue;
    }
    mapper(ctx, statement);
  }
  const subsections = children(section, 'component')
    .map((c) => child(c, 'section'))
    .filter((s): s is CdaNode => !!s)
    .map((s) => mapSection(ctx, s));
  ctx.currentSection = undefined;
  return compositionSection(ctx, section, subsections);
}

/** Narrative elements by their ID attribute (what CD.originalText/reference and text/reference point at). */
function collectNarrative(root: CdaNode): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: CdaNode, inText: boolean): void => {
    const here = inText || node.tag === 'text';
    const id = node.attr.ID ?? (here ? node.attr.id : undefined);
    if (here && id && !found.has(id)) found.set(id, textContent(node));
    for (const c of node.children) walk(c, here);
  };
  walk(root, false);
  return found;
}

function createHashHex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Every resource as `PUT Type/id` (update-as-create, http://hl7.org/fhir/R4/http.html#upsert): stable ids make re-imports idempotent. */
function toTransaction(resources: readonly Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      fullUrl: `urn:uuid:${resource.id}`,
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
}
