/**
 * US Core 6.1.0 search conformance on the Inferno reference-server patients
 * (../shared/data/fhir/inferno-us-core-reference, see its SOURCE.md): the transaction Bundles
 * are POSTed to the base URL, then every mandatory (SHALL) and recommended (SHOULD) search
 * combination of the US Core Server CapabilityStatement
 * (https://hl7.org/fhir/us/core/STU6.1/CapabilityStatement-us-core-server.html, as the ONC
 * Inferno test kit lists them per profile) runs over HTTP, and must return exactly the ids an
 * independent plain-TypeScript oracle (test-support/search-oracle.ts) computes from the loaded
 * JSON. Search values are taken from the data the way Inferno takes them: from resources of
 * the patient, with tokens both as `system|code` and as `code`, references both as `Type/id`
 * and as `id`, and dates under every prefix (search.html#prefix).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  CarePlan,
  CareTeam,
  Condition,
  Coverage,
  Device,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  Goal,
  Group,
  HumanName,
  Immunization,
  Location,
  MedicationDispense,
  MedicationRequest,
  Observation,
  OperationOutcome,
  Organization,
  Patient,
  Period,
  Practitioner,
  PractitionerRole,
  Procedure,
  Provenance,
  QuestionnaireResponse,
  Reference,
  RelatedPerson,
  Resource,
  ServiceRequest,
  Specimen,
} from '@medplum/fhirtypes';
import {
  codingsOf,
  datePrefixes,
  datePrefixMatches,
  dateRange,
  escapeSearchValue as esc,
  overlaps,
  periodRange,
  referenceMatches,
  referenceTarget,
  stringMatches,
  tokenMatches,
  type DatePrefix,
  type Range,
  type TokenValue,
} from '../../test-support/search-oracle.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { infernoBundleFiles, readInfernoBundle, readInfernoGroup } from '../../test-support/us-core-data.ts';

const patientIds = ['85', '355', '907', '908', 'us-core-client-tests-patient'] as const;

/**
 * A StructureDefinition and a SearchParameter: the reference server's definition of
 * Condition `asserted-date` (http://hl7.org/fhir/us/core/SearchParameter/us-core-condition-asserted-date).
 */
const assertedDateBundle = 'uscore_bundle_asserted-date.json';

/**
 * Entries that are not valid R4 and that a strict server refuses (the reference server, HAPI,
 * parses leniently and drops what it does not know). They are left out of the transaction.
 */
const invalidEntries: Record<string, Record<string, string>> = {
  'uscore_bundle_patient_355.json': {
    'urn:uuid:3c766796-d8a0-480f-8215-f1e7e3afab21':
      'Observation.effectivePeriod has a `stop`; Period has start and end only (http://hl7.org/fhir/R4/datatypes.html#Period)',
  },
};

// ---------------------------------------------------------------------------------------------
// What each search parameter reads, written out from its R4 / US Core definition.

type DateValue = string | Period | undefined;

type ParamDef =
  | { kind: 'id' }
  | { kind: 'token'; values: (r: Resource) => TokenValue[] }
  | { kind: 'string'; values: (r: Resource) => string[] }
  | { kind: 'date'; values: (r: Resource) => DateValue[] }
  | { kind: 'reference'; values: (r: Resource) => (Reference | undefined)[]; types?: readonly string[] };

const as = <T extends Resource>(r: Resource): T => r as T;
const id: ParamDef = { kind: 'id' };
const token = (values: (r: Resource) => TokenValue[]): ParamDef => ({ kind: 'token', values });
const concept = <T extends Resource>(get: (r: T) => ({ coding?: TokenValue[] } | undefined)[]): ParamDef =>
  token((r) => get(as<T>(r)).flatMap((c) => codingsOf(c)));
const code = <T extends Resource>(get: (r: T) => string | undefined, system?: string): ParamDef =>
  token((r) => {
    const value = get(as<T>(r));
    return value === undefined ? [] : [{ code: value, system }];
  });
const string = <T extends Resource>(get: (r: T) => (string | undefined)[]): ParamDef => ({
  kind: 'string',
  values: (r) => get(as<T>(r)).filter((s): s is string => typeof s === 'string' && s !== ''),
});
const date = <T extends Resource>(get: (r: T) => DateValue[]): ParamDef => ({ kind: 'date', values: (r) => get(as<T>(r)) });
const reference = <T extends Resource>(get: (r: T) => (Reference | undefined)[], types?: readonly string[]): ParamDef => ({
  kind: 'reference',
  values: (r) => get(as<T>(r)),
  ...(types ? { types } : {}),
});
/** `xxx.where(resolve() is Patient)` */
const patientRef = <T extends Resource>(get: (r: T) => Reference | undefined): ParamDef => reference<T>((r) => [get(r)], ['Patient']);

/** HumanName matches on any of its string parts (search.html#string). */
const nameParts = (names: HumanName[] | undefined) => (names ?? []).flatMap((n) => [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])]);
const addressParts = (addresses: { text?: string; line?: string[]; city?: string; district?: string; state?: string; postalCode?: string; country?: string }[] | undefined) =>
  (addresses ?? []).flatMap((a) => [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country]);

/** http://hl7.org/fhir/R4/patient.html#search (gender: the code with its implied system, helper B's work). */
const administrativeGender = 'http://hl7.org/fhir/administrative-gender';

const params: Record<string, Record<string, ParamDef>> = {
  Patient: {
    _id: id,
    identifier: token((r) => (as<Patient>(r).identifier ?? []).map((i) => ({ system: i.system, code: i.value }))),
    name: string<Patient>((r) => nameParts(r.name)),
    family: string<Patient>((r) => (r.name ?? []).map((n) => n.family)),
    birthdate: date<Patient>((r) => [r.birthDate]),
    gender: code<Patient>((r) => r.gender, administrativeGender),
    'death-date': date<Patient>((r) => [r.deceasedDateTime]),
  },
  AllergyIntolerance: {
    patient: reference<AllergyIntolerance>((r) => [r.patient]),
    'clinical-status': concept<AllergyIntolerance>((r) => [r.clinicalStatus]),
  },
  CarePlan: {
    patient: patientRef<CarePlan>((r) => r.subject),
    category: concept<CarePlan>((r) => r.category ?? []),
    date: date<CarePlan>((r) => [r.period]),
    status: code<CarePlan>((r) => r.status),
  },
  CareTeam: {
    patient: patientRef<CareTeam>((r) => r.subject),
    status: code<CareTeam>((r) => r.status),
    role: concept<CareTeam>((r) => (r.participant ?? []).flatMap((p) => p.role ?? [])),
  },
  Condition: {
    patient: patientRef<Condition>((r) => r.subject),
    category: concept<Condition>((r) => r.category ?? []),
    'clinical-status': concept<Condition>((r) => [r.clinicalStatus]),
    code: concept<Condition>((r) => [r.code]),
    'onset-date': date<Condition>((r) => [r.onsetDateTime, r.onsetPeriod]),
    'abatement-date': date<Condition>((r) => [r.abatementDateTime, r.abatementPeriod]),
    'recorded-date': date<Condition>((r) => [r.recordedDate]),
    'asserted-date': date<Condition>((r) =>
      (r.extension ?? []).filter((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate').map((e) => e.valueDateTime),
    ),
    encounter: reference<Condition>((r) => [r.encounter]),
  },
  Coverage: { patient: reference<Coverage>((r) => [r.beneficiary]) },
  Device: {
    patient: reference<Device>((r) => [r.patient]),
    type: concept<Device>((r) => [r.type]),
    status: code<Device>((r) => r.status),
  },
  DiagnosticReport: {
    patient: patientRef<DiagnosticReport>((r) => r.subject),
    category: concept<DiagnosticReport>((r) => r.category ?? []),
    code: concept<DiagnosticReport>((r) => [r.code]),
    date: date<DiagnosticReport>((r) => [r.effectiveDateTime, r.effectivePeriod]),
    status: code<DiagnosticReport>((r) => r.status),
  },
  DocumentReference: {
    _id: id,
    patient: patientRef<DocumentReference>((r) => r.subject),
    category: concept<DocumentReference>((r) => r.category ?? []),
    date: date<DocumentReference>((r) => [r.date]),
    type: concept<DocumentReference>((r) => [r.type]),
    status: code<DocumentReference>((r) => r.status),
    period: date<DocumentReference>((r) => [r.context?.period]),
  },
  Encounter: {
    _id: id,
    identifier: token((r) => (as<Encounter>(r).identifier ?? []).map((i) => ({ system: i.system, code: i.value }))),
    patient: patientRef<Encounter>((r) => r.subject),
    date: date<Encounter>((r) => [r.period]),
    class: token((r) => [{ system: as<Encounter>(r).class.system, code: as<Encounter>(r).class.code }]),
    type: concept<Encounter>((r) => r.type ?? []),
    status: code<Encounter>((r) => r.status),
    location: reference<Encounter>((r) => (r.location ?? []).map((l) => l.location)),
    'discharge-disposition': concept<Encounter>((r) => [r.hospitalization?.dischargeDisposition]),
  },
  Goal: {
    patient: patientRef<Goal>((r) => r.subject),
    'lifecycle-status': code<Goal>((r) => r.lifecycleStatus),
    'target-date': date<Goal>((r) => (r.target ?? []).map((t) => t.dueDate)),
    description: concept<Goal>((r) => [r.description]),
  },
  Immunization: {
    patient: reference<Immunization>((r) => [r.patient]),
    // Immunization.occurrence: a dateTime, or a string that is no date at all.
    date: date<Immunization>((r) => [r.occurrenceDateTime]),
    status: code<Immunization>((r) => r.status),
  },
  Location: {
    name: string<Location>((r) => [r.name, ...(r.alias ?? [])]),
    address: string<Location>((r) => addressParts(r.address ? [r.address] : [])),
    'address-city': string<Location>((r) => [r.address?.city]),
    'address-state': string<Location>((r) => [r.address?.state]),
    'address-postalcode': string<Location>((r) => [r.address?.postalCode]),
  },
  MedicationDispense: {
    patient: patientRef<MedicationDispense>((r) => r.subject),
    status: code<MedicationDispense>((r) => r.status),
    type: concept<MedicationDispense>((r) => [r.type]),
  },
  MedicationRequest: {
    patient: patientRef<MedicationRequest>((r) => r.subject),
    intent: code<MedicationRequest>((r) => r.intent),
    status: code<MedicationRequest>((r) => r.status),
    encounter: reference<MedicationRequest>((r) => [r.encounter]),
    authoredon: date<MedicationRequest>((r) => [r.authoredOn]),
  },
  Observation: {
    patient: patientRef<Observation>((r) => r.subject),
    category: concept<Observation>((r) => r.category ?? []),
    code: concept<Observation>((r) => [r.code]),
    date: date<Observation>((r) => [r.effectiveDateTime, r.effectivePeriod, r.effectiveInstant]),
    status: code<Observation>((r) => r.status),
  },
  Organization: {
    name: string<Organization>((r) => [r.name, ...(r.alias ?? [])]),
    address: string<Organization>((r) => addressParts(r.address)),
  },
  Practitioner: {
    name: string<Practitioner>((r) => nameParts(r.name)),
    identifier: token((r) => (as<Practitioner>(r).identifier ?? []).map((i) => ({ system: i.system, code: i.value }))),
  },
  PractitionerRole: {
    specialty: concept<PractitionerRole>((r) => r.specialty ?? []),
    practitioner: reference<PractitionerRole>((r) => [r.practitioner]),
  },
  Procedure: {
    patient: patientRef<Procedure>((r) => r.subject),
    date: date<Procedure>((r) => [r.performedDateTime, r.performedPeriod]),
    code: concept<Procedure>((r) => [r.code]),
    status: code<Procedure>((r) => r.status),
  },
  QuestionnaireResponse: {
    _id: id,
    patient: patientRef<QuestionnaireResponse>((r) => r.subject),
    authored: date<QuestionnaireResponse>((r) => [r.authored]),
    status: code<QuestionnaireResponse>((r) => r.status),
    // a canonical; searched by its URL
    questionnaire: reference<QuestionnaireResponse>((r) => [r.questionnaire ? { reference: r.questionnaire } : undefined]),
  },
  RelatedPerson: {
    _id: id,
    patient: reference<RelatedPerson>((r) => [r.patient]),
    name: string<RelatedPerson>((r) => nameParts(r.name)),
  },
  ServiceRequest: {
    _id: id,
    patient: patientRef<ServiceRequest>((r) => r.subject),
    category: concept<ServiceRequest>((r) => r.category ?? []),
    code: concept<ServiceRequest>((r) => [r.code]),
    authored: date<ServiceRequest>((r) => [r.authoredOn]),
    status: code<ServiceRequest>((r) => r.status),
  },
  Specimen: {
    _id: id,
    patient: patientRef<Specimen>((r) => r.subject),
  },
};

/**
 * The US Core 6.1.0 server's SHALL and SHOULD search combinations, per resource type, as the
 * Inferno test kit lists them (us-core-test-kit lib/us_core_test_kit/generated/v6.1.0/<profile>/metadata.yml,
 * `searches`); Location and Organization from the CapabilityStatement.
 */
const combinations: Record<string, string[][]> = {
  Patient: [['_id'], ['identifier'], ['name'], ['birthdate', 'name'], ['gender', 'name'], ['birthdate', 'family'], ['family', 'gender'], ['death-date', 'family']],
  AllergyIntolerance: [['patient'], ['patient', 'clinical-status']],
  CarePlan: [['patient', 'category'], ['patient', 'category', 'date'], ['patient', 'category', 'status'], ['patient', 'category', 'status', 'date']],
  CareTeam: [['patient', 'status'], ['patient', 'role']],
  Condition: [
    ['patient'],
    ['patient', 'category'],
    ['patient', 'clinical-status'],
    ['patient', 'code'],
    ['patient', 'onset-date'],
    ['patient', 'abatement-date'],
    ['patient', 'recorded-date'],
    ['patient', 'asserted-date'],
    ['patient', 'category', 'clinical-status'],
    ['patient', 'category', 'encounter'],
  ],
  Coverage: [['patient']],
  Device: [['patient'], ['patient', 'type'], ['patient', 'status']],
  DiagnosticReport: [['patient'], ['patient', 'category'], ['patient', 'code'], ['patient', 'category', 'date'], ['patient', 'status'], ['patient', 'code', 'date']],
  DocumentReference: [['_id'], ['patient'], ['patient', 'category'], ['patient', 'category', 'date'], ['patient', 'type'], ['patient', 'status'], ['patient', 'type', 'period']],
  Encounter: [
    ['_id'],
    ['identifier'],
    ['patient'],
    ['date', 'patient'],
    ['class', 'patient'],
    ['patient', 'type'],
    ['patient', 'status'],
    ['patient', 'location'],
    ['patient', 'discharge-disposition'],
  ],
  Goal: [['patient'], ['patient', 'lifecycle-status'], ['patient', 'target-date'], ['patient', 'description']],
  Immunization: [['patient'], ['patient', 'date'], ['patient', 'status']],
  Location: [['name'], ['address'], ['address-city'], ['address-state'], ['address-postalcode']],
  MedicationDispense: [['patient'], ['patient', 'status'], ['patient', 'status', 'type']],
  MedicationRequest: [['patient', 'intent'], ['patient', 'intent', 'status'], ['patient', 'intent', 'encounter'], ['patient', 'intent', 'authoredon']],
  Observation: [['patient', 'category'], ['patient', 'code'], ['patient', 'category', 'date'], ['patient', 'category', 'status'], ['patient', 'code', 'date']],
  Organization: [['name'], ['address']],
  Practitioner: [['name'], ['identifier']],
  PractitionerRole: [['specialty'], ['practitioner']],
  Procedure: [['patient'], ['patient', 'date'], ['patient', 'code', 'date'], ['patient', 'status']],
  QuestionnaireResponse: [['_id'], ['patient'], ['patient', 'authored'], ['patient', 'status'], ['patient', 'questionnaire']],
  RelatedPerson: [['_id'], ['patient'], ['patient', 'name']],
  ServiceRequest: [['_id'], ['patient'], ['patient', 'category'], ['patient', 'code'], ['patient', 'category', 'authored'], ['patient', 'status'], ['patient', 'code', 'authored']],
  Specimen: [['_id'], ['patient']],
};

/** Combinations whose date is also searched at day precision (the Inferno date search test does both). */
const dayPrecisionToo = new Set(['Observation patient+category+date', 'DiagnosticReport patient+category+date', 'DocumentReference patient+category+date', 'CarePlan patient+category+date']);

// ---------------------------------------------------------------------------------------------
// The oracle: which loaded resources a query must return.

type Query = [name: string, value: string][];

function queryText(type: string, query: Query): string {
  return `${type}?${query.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&')}`;
}

/** The comma-separated alternatives of one value (search.html#combining), escapes kept. */
function orList(value: string): string[] {
  return value.split(/(?<!\\),/);
}

function splitDatePrefix(value: string): { prefix: DatePrefix; rest: string } {
  const head = value.slice(0, 2) as DatePrefix;
  return datePrefixes.includes(head) ? { prefix: head, rest: value.slice(2) } : { prefix: 'eq', rest: value };
}

function rangesOf(values: DateValue[]): Range[] {
  return values.flatMap((v) => {
    const range = typeof v === 'string' ? dateRange(v) : periodRange(v);
    return range ? [range] : [];
  });
}

/**
 * `ap` (search.html#prefix): the spec leaves the margin to the server and recommends 10% of the
 * gap between now and the date. The oracle brackets it: everything `eq` finds, and nothing
 * outside the value widened by its own width or a quarter of its distance from now.
 */
function approximateBounds(search: Range): Range {
  const margin = Math.max(search[1] - search[0], Math.abs(Date.now() - search[0]) * 0.25);
  return [search[0] - margin, search[1] + margin];
}

function paramMatches(def: ParamDef, resource: Resource, value: string, approx: 'lower' | 'upper'): boolean {
  return orList(value).some((one) => {
    switch (def.kind) {
      case 'id':
        return resource.id === one;
      case 'token':
        return tokenMatches(def.values(resource), one);
      case 'string':
        return stringMatches(def.values(resource), one);
      case 'reference':
        return referenceMatches(def.values(resource), one, def.types);
      case 'date': {
        const { prefix, rest } = splitDatePrefix(one);
        const search = dateRange(rest);
        assert.ok(search, `not a date: ${one}`);
        const targets = rangesOf(def.values(resource));
        if (prefix !== 'ap') return targets.some((t) => datePrefixMatches(prefix, search, t));
        return approx === 'lower' ? targets.some((t) => datePrefixMatches('eq', search, t)) : targets.some((t) => overlaps(approximateBounds(search), t));
      }
    }
  });
}

/** The ids of `type` a query must find: exactly, or between bounds when it uses `ap`. */
function expectedIds(loaded: LoadedData, type: string, query: Query): { lower: string[]; upper: string[] } {
  const defs = params[type]!;
  const holds = (r: Resource, name: string, value: string, approx: 'lower' | 'upper') => {
    if (name !== '_lastUpdated') return paramMatches(defs[name]!, r, value, approx);
    // Every resource was written after loadStart: the oracle knows only that one form.
    assert.equal(value, `ge${loaded.loadStart.toISOString()}`);
    return true;
  };
  const select = (approx: 'lower' | 'upper') =>
    (loaded.byType.get(type) ?? [])
      .filter((r) => query.every(([name, value]) => holds(r, name, value, approx)))
      .map((r) => r.id!)
      .sort();
  return { lower: select('lower'), upper: select('upper') };
}

// ---------------------------------------------------------------------------------------------
// Search values taken from the data, the way a client (or Inferno) would pick them.

type Variant = 'exact' | 'loose';

/**
 * One value for `name` from this resource: `exact` is `system|code`, `Type/id`, the whole
 * string; `loose` is the bare code, the bare id, the first three letters in lower case.
 */
function valueFrom(def: ParamDef, resource: Resource, variant: Variant): string | undefined {
  switch (def.kind) {
    case 'id':
      return resource.id;
    case 'token': {
      const first = def.values(resource).find((v) => v.code !== undefined);
      if (!first?.code) return undefined;
      return variant === 'exact' && first.system ? `${esc(first.system)}|${esc(first.code)}` : esc(first.code);
    }
    case 'string': {
      const first = def.values(resource)[0];
      if (first === undefined) return undefined;
      return variant === 'exact' ? esc(first) : esc(first.slice(0, 3).toLowerCase());
    }
    case 'reference': {
      const target = def.values(resource).map((r) => referenceTarget(r?.reference)).find((t) => t !== undefined);
      if (!target) return undefined;
      return variant === 'exact' ? `${target.type}/${target.id}` : target.id;
    }
    case 'date': {
      for (const v of def.values(resource)) {
        if (typeof v === 'string' && dateRange(v)) return v;
        if (typeof v === 'object' && (v.start ?? v.end)) return v.start ?? v.end;
      }
      return undefined;
    }
  }
}

interface PlannedQuery {
  combination: string;
  query: Query;
}

/** Up to `n` items spread over the list (first, last and between), in order. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/**
 * The queries for one combination: for each patient (or once, for types outside the patient
 * compartment), the distinct value tuples its resources give, in both variants, a few of them;
 * the date of the first tuple under every prefix.
 */
function planQueries(loaded: LoadedData, type: string, combination: string[]): PlannedQuery[] {
  const defs = params[type]!;
  const label = `${type} ${combination.join('+')}`;
  const withPatient = combination.includes('patient');
  const planned: PlannedQuery[] = [];
  for (const patient of withPatient ? patientIds : [undefined]) {
    const resources = (loaded.byType.get(type) ?? []).filter((r) => !patient || paramMatches(defs.patient!, r, `Patient/${patient}`, 'lower'));
    const tuples = new Map<string, Query>();
    for (const variant of ['exact', 'loose'] as const) {
      for (const resource of resources) {
        const query: Query = [];
        for (const name of combination) {
          const value = name === 'patient' ? (variant === 'exact' ? `Patient/${patient}` : patient) : valueFrom(defs[name]!, resource, variant);
          if (value !== undefined) query.push([name, value]);
        }
        if (query.length === combination.length) tuples.set(queryText(type, query), query);
      }
    }
    const chosen = spread([...tuples.values()], 4);
    planned.push(...chosen.map((query) => ({ combination: label, query })));
    const dateName = combination.find((name) => defs[name]!.kind === 'date');
    const first = chosen[0];
    if (!dateName || !first) continue;
    const written = first.find(([name]) => name === dateName)![1];
    const values = dayPrecisionToo.has(label) ? [written, written.slice(0, 10)] : [written];
    for (const value of values) {
      for (const prefix of datePrefixes) {
        planned.push({ combination: label, query: first.map(([n, v]): [string, string] => [n, n === dateName ? `${prefix}${value}` : v]) });
      }
    }
  }
  return planned;
}

// ---------------------------------------------------------------------------------------------
// Loading

interface LoadedData {
  byType: Map<string, Resource[]>;
  /** file (or Group/id) → why it did not load */
  failures: Map<string, string>;
  /** Before the first write: `_lastUpdated=ge` this finds everything, `lt` nothing. */
  loadStart: Date;
}

/** The Bundle without the invalid entries listed above. */
function loadableBundle(file: string): Bundle {
  const bundle = readInfernoBundle(file);
  const skip = invalidEntries[file] ?? {};
  return { ...bundle, entry: (bundle.entry ?? []).filter((e) => !(e.fullUrl && e.fullUrl in skip)) };
}

/** Rewrites every Reference.reference that names a transaction entry (http.html#trules). */
function rewriteReferences<T>(value: T, ids: Map<string, string>): T {
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteReferences(v, ids)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' ? (ids.get(v) ?? v) : rewriteReferences(v, ids)]),
  ) as T;
}

/** The resources as the server must have stored them: ids from the response, references resolved. */
function storedResources(bundle: Bundle, response: Bundle): Resource[] {
  const ids = new Map<string, string>();
  const entries = bundle.entry ?? [];
  const responses = response.entry ?? [];
  const written = entries.map((entry: BundleEntry, i) => {
    const location = responses[i]?.response?.location ?? '';
    const [type, newId] = location.split('/');
    assert.equal(type, entry.resource?.resourceType, `entry ${i}: location ${location}`);
    if (entry.fullUrl) ids.set(entry.fullUrl, `${type}/${newId}`);
    return { ...entry.resource!, id: newId! };
  });
  return written.map((r) => rewriteReferences(r, ids));
}

// ---------------------------------------------------------------------------------------------

for (const backend of testDatabases()) {
  describe(`US Core 6.1.0 searches on the Inferno reference patients over HTTP on ${backend.kind}`, () => {
    let t: TestHub;
    let token: string;
    const loaded: LoadedData = { byType: new Map(), failures: new Map(), loadStart: new Date() };

    before(async () => {
      t = await openTestHub(await backend.open());
      token = await t.token('system');
      loaded.loadStart = new Date();
      const all: Resource[] = [];
      for (const file of infernoBundleFiles) {
        const bundle = loadableBundle(file);
        const res = await t.app.fastify.inject({
          method: 'POST',
          url: '/fhir/R4',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
          payload: JSON.stringify(bundle),
        });
        if (res.statusCode !== 200) loaded.failures.set(file, `${res.statusCode} ${res.body.slice(0, 500)}`);
        else all.push(...storedResources(bundle, res.json<Bundle>()));
      }
      const group = readInfernoGroup();
      const res = await t.app.fastify.inject({
        method: 'PUT',
        url: `/fhir/R4/Group/${group.id}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
        payload: JSON.stringify(group),
      });
      if (res.statusCode !== 201) loaded.failures.set(`Group/${group.id}`, `${res.statusCode} ${res.body.slice(0, 500)}`);
      else all.push(group);
      for (const r of all) loaded.byType.set(r.resourceType, [...(loaded.byType.get(r.resourceType) ?? []), r]);
    });
    after(() => t.close());

    const get = (url: string) =>
      t.app.fastify.inject({ method: 'GET', url: `/fhir/R4/${url}`, headers: { authorization: `Bearer ${token}`, prefer: 'handling=strict' } });

    /** Runs a search; the match ids and include ids, or a failure line. */
    async function search(url: string): Promise<{ matches: string[]; includes: string[] } | string> {
      const res = await get(`${url}&_count=1000`);
      if (res.statusCode !== 200) return `${decodeURIComponent(url)} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
      const bundle = res.json<Bundle>();
      if (bundle.link?.some((l) => l.relation === 'next')) return `${decodeURIComponent(url)}: more than one page`;
      const ids = (mode: string) => (bundle.entry ?? []).filter((e) => (e.search?.mode ?? 'match') === mode).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
      return { matches: ids('match'), includes: ids('include') };
    }

    /** Runs planned queries; returns failure lines. */
    async function check(type: string, planned: PlannedQuery[]): Promise<string[]> {
      const failures: string[] = [];
      for (const { query } of planned) {
        const url = queryText(type, query);
        const result = await search(url);
        if (typeof result === 'string') {
          failures.push(result);
          continue;
        }
        const got = result.matches.map((ref) => ref.split('/')[1]!).sort();
        const { lower, upper } = expectedIds(loaded, type, query);
        const exact = lower.join() === upper.join();
        const ok = exact ? got.join() === lower.join() : lower.every((i) => got.includes(i)) && got.every((i) => upper.includes(i));
        if (!ok) {
          const missing = lower.filter((i) => !got.includes(i));
          const extra = got.filter((i) => !upper.includes(i));
          failures.push(`${decodeURIComponent(url)}: expected ${lower.length}${exact ? '' : `..${upper.length}`}, got ${got.length}; missing [${missing.join(', ')}] unexpected [${extra.join(', ')}]`);
        }
      }
      return failures;
    }

    test('the patient transaction Bundles and the Group load (the one invalid entry left out is refused on its own)', async (ctx) => {
      assert.deepEqual([...loaded.failures].filter(([file]) => file !== assertedDateBundle), []);
      const counts = [...loaded.byType].map(([type, list]) => `${type} ${list.length}`).join(', ');
      ctx.diagnostic(`loaded: ${counts}`);
      assert.equal(loaded.byType.get('Patient')?.length, 5);
      assert.equal(loaded.byType.get('Observation')?.length, 232);
      // The left-out entry is refused with an OperationOutcome naming the element at fault.
      for (const [file, entries] of Object.entries(invalidEntries)) {
        for (const fullUrl of Object.keys(entries)) {
          const resource = readInfernoBundle(file).entry!.find((e) => e.fullUrl === fullUrl)!.resource!;
          const res = await t.app.fastify.inject({
            method: 'POST',
            url: `/fhir/R4/${resource.resourceType}`,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
            payload: JSON.stringify(resource),
          });
          assert.equal(res.statusCode, 400, `${file} ${fullUrl}`);
          ctx.diagnostic(`refused ${file} ${fullUrl}: ${JSON.stringify(res.json<OperationOutcome>().issue)}`);
        }
      }
      // A line-wrapped base64Binary (R4 allows whitespace) is stored and read back as written.
      const device = loaded.byType.get('Device')!.find((d) => as<Device>(d).udiCarrier?.some((u) => u.carrierAIDC?.includes('\n')));
      assert.ok(device, 'a Device with a line-wrapped carrierAIDC');
      const read = (await get(`Device/${device.id}`)).json<Device>();
      assert.equal(read.udiCarrier?.[0]?.carrierAIDC, as<Device>(device).udiCarrier?.[0]?.carrierAIDC);
    });

    for (const [type, list] of Object.entries(combinations)) {
      test(`${type}: ${list.map((c) => c.join('+')).join(', ')}`, async (ctx) => {
        const planned = list.flatMap((combination) => planQueries(loaded, type, combination));
        const perCombination = new Map(list.map((c) => [`${type} ${c.join('+')}`, 0]));
        for (const p of planned) perCombination.set(p.combination, (perCombination.get(p.combination) ?? 0) + 1);
        ctx.diagnostic(`${planned.length} searches: ${[...perCombination].map(([c, n]) => `${c.slice(type.length + 1)} ${n}`).join(', ')}`);
        // Every combination must have been exercised: the data covers each of them.
        assert.deepEqual([...perCombination].filter(([, n]) => n === 0).map(([c]) => c), []);
        assert.deepEqual(await check(type, planned), []);
      });
    }

    test('MedicationRequest: intent and status take several values (multipleOr SHALL)', async () => {
      const planned: PlannedQuery[] = [];
      for (const patient of patientIds) {
        planned.push({ combination: 'or', query: [['patient', patient], ['intent', 'order,plan,proposal']] });
        planned.push({ combination: 'or', query: [['patient', patient], ['intent', 'order'], ['status', 'active,completed,stopped']] });
      }
      assert.deepEqual(await check('MedicationRequest', planned), []);
    });

    test('_lastUpdated: ge the time before loading finds every resource of each type, lt finds none', async () => {
      const failures: string[] = [];
      const before = loaded.loadStart.toISOString();
      for (const [type, resources] of loaded.byType) {
        const ge = await search(`${type}?_lastUpdated=ge${encodeURIComponent(before)}`);
        const lt = await search(`${type}?_lastUpdated=lt${encodeURIComponent(before)}`);
        const all = resources.map((r) => `${type}/${r.id}`).sort();
        if (typeof ge === 'string') failures.push(ge);
        else if (ge.matches.sort().join() !== all.join()) failures.push(`${type}?_lastUpdated=ge${before}: ${ge.matches.length} of ${all.length}`);
        if (typeof lt === 'string') failures.push(lt);
        else if (lt.matches.length > 0) failures.push(`${type}?_lastUpdated=lt${before}: ${lt.matches.length} found`);
      }
      // And combined with a US Core combination.
      const planned = patientIds.map((patient): PlannedQuery => ({ combination: 'lastUpdated', query: [['patient', `Patient/${patient}`], ['category', 'laboratory'], ['_lastUpdated', `ge${before}`]] }));
      failures.push(...(await check('Observation', planned)));
      assert.deepEqual(failures, []);
    });

    test('Group: the bulk-export group is found by its members', async () => {
      const group = loaded.byType.get('Group')?.[0] as Group | undefined;
      assert.ok(group);
      for (const member of group.member ?? []) {
        const result = await search(`Group?member=${encodeURIComponent(member.entity.reference!)}`);
        assert.deepEqual(result, { matches: ['Group/1a'], includes: [] });
      }
    });

    // ---- Features other engineers are building: the tests state the correct behaviour. ----

    test('the asserted-date Bundle loads: its SearchParameter is the US Core definition the hub already serves (custom SearchParameters)', () => {
      assert.equal(loaded.failures.get(assertedDateBundle), undefined);
      assert.equal(loaded.byType.get('SearchParameter')?.length, 1);
    });

    test('_revinclude=Provenance:target returns the Provenance of every match (US Core SHALL; _include/_revinclude)', async () => {
      const failures: string[] = [];
      const provenances = (loaded.byType.get('Provenance') ?? []) as Provenance[];
      const provenanceOf = (refs: string[]) =>
        provenances.filter((p) => p.target.some((target) => refs.includes(target.reference ?? ''))).map((p) => `Provenance/${p.id}`).sort();
      const types = ['Patient', ...Object.keys(params).filter((type) => params[type]!.patient)];
      let expectedIncludes = 0;
      for (const patient of patientIds) {
        for (const type of types) {
          const query: Query = type === 'Patient' ? [['_id', patient]] : [['patient', `Patient/${patient}`]];
          const url = `${queryText(type, query)}&_revinclude=Provenance:target`;
          const result = await search(url);
          if (typeof result === 'string') {
            failures.push(result);
            continue;
          }
          const matches = expectedIds(loaded, type, query).lower.map((i) => `${type}/${i}`);
          const includes = provenanceOf(matches);
          expectedIncludes += includes.length;
          if (result.matches.sort().join() !== matches.join() || result.includes.sort().join() !== includes.join()) {
            failures.push(`${url}: expected ${matches.length} matches and [${includes.join(', ')}], got ${result.matches.length} and [${result.includes.join(', ')}]`);
          }
        }
      }
      assert.ok(expectedIncludes > 20, 'the Provenances target most resource types');
      assert.deepEqual(failures, []);
    });

    test('_include=MedicationRequest:medication and PractitionerRole:practitioner / :endpoint (US Core SHOULD; _include)', async () => {
      const failures: string[] = [];
      let expectedIncludes = 0;
      const compare = async (url: string, matches: string[], includes: string[]) => {
        expectedIncludes += includes.length;
        const result = await search(url);
        if (typeof result === 'string') failures.push(result);
        else if (result.matches.sort().join() !== matches.sort().join() || result.includes.sort().join() !== [...new Set(includes)].sort().join()) {
          failures.push(`${url}: expected [${matches.join(', ')}] + [${includes.join(', ')}], got [${result.matches.join(', ')}] + [${result.includes.join(', ')}]`);
        }
      };
      for (const patient of patientIds) {
        const query: Query = [['patient', `Patient/${patient}`], ['intent', 'order,plan,proposal,original-order,reflex-order,filler-order,instance-order,option']];
        const matches = expectedIds(loaded, 'MedicationRequest', query).lower;
        const medications = (loaded.byType.get('MedicationRequest') ?? [])
          .filter((r) => matches.includes(r.id!))
          .flatMap((r) => (as<MedicationRequest>(r).medicationReference?.reference?.startsWith('Medication/') ? [as<MedicationRequest>(r).medicationReference!.reference!] : []));
        await compare(`${queryText('MedicationRequest', query)}&_include=MedicationRequest:medication`, matches.map((i) => `MedicationRequest/${i}`), medications);
      }
      for (const role of (loaded.byType.get('PractitionerRole') ?? []) as PractitionerRole[]) {
        const specialty = valueFrom(params.PractitionerRole!.specialty!, role, 'exact');
        if (!specialty) continue;
        const query: Query = [['specialty', specialty]];
        const matches = expectedIds(loaded, 'PractitionerRole', query).lower;
        const roles = ((loaded.byType.get('PractitionerRole') ?? []) as PractitionerRole[]).filter((r) => matches.includes(r.id!));
        const includes = roles.flatMap((r) => [r.practitioner?.reference, ...(r.endpoint ?? []).map((e) => e.reference)]).filter((ref): ref is string => !!ref && !ref.startsWith('#'));
        await compare(`${queryText('PractitionerRole', query)}&_include=PractitionerRole:practitioner&_include=PractitionerRole:endpoint`, matches.map((i) => `PractitionerRole/${i}`), includes);
      }
      assert.ok(expectedIncludes > 3, 'a Medication, Practitioners and an Endpoint are referenced');
      assert.deepEqual(failures, []);
    });

    test('gender with its implied system: gender=http://hl7.org/fhir/administrative-gender|<code> (implied systems of code elements)', async () => {
      const planned: PlannedQuery[] = [];
      for (const patient of (loaded.byType.get('Patient') ?? []) as Patient[]) {
        if (!patient.gender) continue;
        planned.push({ combination: 'gender', query: [['gender', `${administrativeGender}|${patient.gender}`], ['name', patient.name![0]!.family!]] });
        planned.push({ combination: 'gender', query: [['family', patient.name![0]!.family!], ['gender', `${administrativeGender}|${patient.gender}`]] });
      }
      assert.ok(planned.length > 0);
      assert.deepEqual(await check('Patient', planned), []);
    });
  });
}
