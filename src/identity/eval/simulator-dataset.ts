/**
 * Reads the person-level records of a `longitude simulate` directory (docs/simulator.md): clinic
 * FHIR Patients, hospital and reference-lab HL7 PID segments (the last one per patient id, so
 * A08/A31 updates win), payer enrollment rows and CRM contacts; labels from truth/identity.csv.
 * Record ids are "<silo>/<id>" as in identity.csv.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LongitudeError } from '../../platform/errors.ts';
import type { SourceRecord } from '../types.ts';
import { parseCsv } from './csv.ts';
import type { LabelledDataset } from './datasets.ts';

const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
/** The clinic MRN: the clinic's own system and the labs' CLINIC authority name one namespace. */
const CLINIC_MRN = 'clinic-mrn';

interface FhirPatient {
  id: string;
  identifier?: { system?: string; value?: string }[];
  name?: { use?: string; family?: string; given?: string[] }[];
  telecom?: { system?: string; value?: string }[];
  gender?: string;
  birthDate?: string;
  address?: { use?: string; line?: string[]; city?: string; state?: string; postalCode?: string }[];
}

function clinicRecords(dir: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  const root = join(dir, 'ehr-clinic', 'bundles');
  for (const sub of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, sub)).sort()) {
      const bundle = JSON.parse(readFileSync(join(root, sub, file), 'utf8')) as { entry?: { resource?: { resourceType?: string } }[] };
      const patient = bundle.entry?.map((e) => e.resource).find((r) => r?.resourceType === 'Patient') as FhirPatient | undefined;
      if (!patient) continue;
      const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
      const address = patient.address?.find((a) => a.use !== 'old');
      out.push({
        recordId: `ehr-clinic/${patient.id}`, source: 'ehr-clinic',
        givenName: name?.given?.[0], middleName: name?.given?.[1], familyName: name?.family,
        birthDate: patient.birthDate, sex: patient.gender,
        phones: patient.telecom?.filter((t) => t.system === 'phone').map((t) => t.value),
        email: patient.telecom?.find((t) => t.system === 'email')?.value,
        address: address ? { line: address.line?.join(' '), city: address.city, state: address.state, postalCode: address.postalCode } : undefined,
        ssn: patient.identifier?.find((i) => i.system === 'http://hl7.org/fhir/sid/us-ssn')?.value,
        identifiers: [{ system: CLINIC_MRN, value: patient.id }],
      });
    }
  }
  return out;
}

/** PID segment → record (fields per HL7 v2.5.1 chapter 3.4.2). */
function pidRecord(silo: string, pid: string): SourceRecord | undefined {
  const f = pid.split('|');
  const ids = (f[3] ?? '').split('~').map((rep) => rep.split('^'));
  const own = ids[0]?.[0];
  if (!own) return undefined;
  const [family, given, middle] = (f[5] ?? '').split('~')[0]?.split('^') ?? [];
  const [line, other, city, state, zip] = (f[11] ?? '').split('~')[0]?.split('^') ?? [];
  const telecoms = (f[13] ?? '').split('~').map((rep) => rep.split('^'));
  const clinicMrn = ids.find((c) => c[3] === 'CLINIC')?.[0];
  return {
    recordId: `${silo}/${own}`, source: silo,
    givenName: blank(given), middleName: blank(middle), familyName: blank(family),
    birthDate: blank(f[7]), sex: blank(f[8]),
    phones: telecoms.filter((t) => t[2] !== 'Internet').map((t) => blank(t[0])),
    email: blank(telecoms.find((t) => t[2] === 'Internet')?.[3]),
    address: { line: [line, other].filter(Boolean).join(' '), city: blank(city), state: blank(state), postalCode: blank(zip) },
    ssn: blank(f[19]),
    identifiers: clinicMrn ? [{ system: CLINIC_MRN, value: clinicMrn }] : [],
  };
}

function hl7Records(dir: string, silo: string, merges: { survivor: string; prior: string }[]): SourceRecord[] {
  const latest = new Map<string, SourceRecord>();
  let current: string | undefined;
  const folder = join(dir, silo);
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.hl7')).sort();
  } catch {
    return []; // --no-labs runs have no labs/ folder
  }
  for (const file of files) {
    for (const segment of readFileSync(join(folder, file), 'utf8').split(/\r?\n|\r/)) {
      if (segment.startsWith('MSH|')) current = undefined;
      // MRG-1 (HL7 v2.5.1 §3.4.9): the prior identifier a merge retires into the PID's record.
      const prior = segment.startsWith('MRG|') ? segment.split('|')[1]?.split('^')[0] : undefined;
      if (prior && current) merges.push({ survivor: current, prior: `${silo}/${prior}` });
      if (!segment.startsWith('PID|')) continue;
      const record = pidRecord(silo, segment);
      if (record) latest.set(record.recordId, record);
      current = record?.recordId;
    }
  }
  return [...latest.values()];
}

function payerRecords(dir: string): SourceRecord[] {
  return parseCsv(readFileSync(join(dir, 'payer', 'enrollment.csv'), 'utf8')).map((r) => ({
    recordId: `payer/${r['member_id']}`, source: 'payer',
    givenName: blank(r['first_name']), middleName: blank(r['middle_name']), familyName: blank(r['last_name']),
    birthDate: blank(r['dob']), sex: blank(r['sex']), phones: [blank(r['phone'])], ssn: blank(r['ssn']),
    address: { line: blank(r['address_line1']), city: blank(r['city']), state: blank(r['state']), postalCode: blank(r['zip']) },
  }));
}

function crmRecords(dir: string): SourceRecord[] {
  return parseCsv(readFileSync(join(dir, 'crm', 'contacts.csv'), 'utf8')).map((r) => ({
    recordId: `crm/${r['contact_id']}`, source: 'crm',
    givenName: blank(r['first_name']), familyName: blank(r['last_name']),
    phones: [blank(r['mobile_phone']), blank(r['home_phone'])], email: blank(r['email']),
  }));
}

export function readSimulatorDataset(dir: string): LabelledDataset {
  const sourceMerges: { survivor: string; prior: string }[] = [];
  const records = [...clinicRecords(dir), ...hl7Records(dir, 'hospital', sourceMerges), ...hl7Records(dir, 'labs', sourceMerges), ...payerRecords(dir), ...crmRecords(dir)];
  const truth = new Map<string, string>();
  for (const row of parseCsv(readFileSync(join(dir, 'truth', 'identity.csv'), 'utf8'))) {
    truth.set(`${row['silo']}/${row['record_id']}`, row['person_id'] ?? '');
  }
  const entities = records.map((r) => {
    const person = truth.get(r.recordId);
    if (person === undefined) throw new LongitudeError('LNG_BAD_REQUEST', `record ${r.recordId} is not in truth/identity.csv`);
    return person;
  });
  return { records, entities, sourceMerges };
}
