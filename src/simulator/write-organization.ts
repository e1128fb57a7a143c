/**
 * Writes a whole simulated organization into a directory, household by household, through
 * backpressured streams: nothing proportional to the number of people stays in memory except
 * the hospital and lab day files, which are sorted one day at a time at the end.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planCare } from './care-events.ts';
import { ageOn, dayOf, isoDate } from './dates.ts';
import { defaultErrorRates, type ErrorRates } from './error-rates.ts';
import { ErrorRecorder, type ErrorSummary } from './errors.ts';
import { generateHousehold } from './households.ts';
import { createIdFactory, type SiloName } from './ids.ts';
import { csvRow } from './output/csv.ts';
import { DaySortedHl7Writer } from './output/day-sorted-hl7.ts';
import { FileSink } from './output/file-sink.ts';
import { regionCities } from './population.ts';
import { createProviders } from './providers.ts';
import { createRng } from './random.ts';
import { organizationReadme } from './readme.ts';
import { contactColumns, renderCrm } from './silos/crm-csv.ts';
import { renderEhrClinic } from './silos/ehr-clinic.ts';
import { renderHospital } from './silos/hospital-hl7.ts';
import { claimColumns, enrollmentColumns, renderPayer } from './silos/payer-csv.ts';
import { labsControlId, renderReferenceLab } from './silos/reference-lab.ts';
import type { SiloResult } from './silos/silo-output.ts';
import { deriveSignals, type SignalKind } from './truth.ts';
import { peopleColumns, personRow, writeStaticTruth } from './truth-files.ts';
import type { SimulationContext } from './types.ts';

export interface SimulationOptions {
  outDir: string;
  people: number;
  seed: number;
  /** First day of the measurement period, YYYY-MM-DD (default 2025-01-01). */
  startDate?: string;
  /** Whether to write the reference lab silo (default true). */
  labs?: boolean;
  rates?: ErrorRates;
  /** Called after each household with the number of people written so far. */
  onProgress?: (people: number) => void;
}

export interface SiloSummary {
  /** Person-level records (patients, members, contacts) as listed in truth/identity.csv. */
  records: number;
  /** What the records are spread over: bundles, messages, rows. */
  items: number;
  itemName: string;
  bytes: number;
}

export interface SimulationSummary {
  people: number;
  households: number;
  measurementPeriod: { start: string; end: string };
  silos: Partial<Record<SiloName, SiloSummary>>;
  signals: Partial<Record<SignalKind, number>>;
  errors: number;
  truthBytes: number;
}

const BUNDLE_WRITE_CONCURRENCY = 32;

export async function writeOrganization(options: SimulationOptions): Promise<SimulationSummary> {
  const { outDir, people: total, seed } = options;
  const withLabs = options.labs ?? true;
  const rates = options.rates ?? defaultErrorRates;
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`output directory ${outDir} is not empty`);
  const startDay = dayOf(options.startDate ?? '2025-01-01');
  const endDay = dayOf(`${Number(isoDate(startDay).slice(0, 4)) + 1}${isoDate(startDay).slice(4)}`) - 1;
  const ctx: SimulationContext = { seed, startDay, endDay, cities: regionCities(seed, createRng(seed, 'cities')) };
  const ids = createIdFactory(seed);
  const providers = createProviders(seed);

  for (const d of ['ehr-clinic/bundles', 'hospital', 'payer', 'crm', 'truth', ...(withLabs ? ['labs'] : [])]) mkdirSync(join(outDir, d), { recursive: true });
  const enrollment = new FileSink(join(outDir, 'payer/enrollment.csv'));
  const claims = new FileSink(join(outDir, 'payer/claims.csv'));
  const contacts = new FileSink(join(outDir, 'crm/contacts.csv'));
  const identity = new FileSink(join(outDir, 'truth/identity.csv'));
  const peopleCsv = new FileSink(join(outDir, 'truth/people.csv'));
  const errorsCsv = new FileSink(join(outDir, 'truth/errors.csv'));
  const signalsJson = new FileSink(join(outDir, 'truth/signals.json'));
  const hospital = new DaySortedHl7Writer(join(outDir, 'hospital'));
  const labs = withLabs ? new DaySortedHl7Writer(join(outDir, 'labs')) : undefined;
  await enrollment.write(csvRow(enrollmentColumns));
  await claims.write(csvRow(claimColumns));
  await contacts.write(csvRow(contactColumns));
  await identity.write(csvRow(['silo', 'record_id', 'person_id']));
  await peopleCsv.write(csvRow(peopleColumns));
  await errorsCsv.write(csvRow(['silo', 'record_id', 'field', 'kind', 'clean', 'dirty']));
  const period = { start: isoDate(startDay), end: isoDate(endDay) };
  await signalsJson.write(`{"seed":${seed},"people":${total},"measurementPeriod":${JSON.stringify(period)},"signals":[`);

  const summary: SimulationSummary = { people: 0, households: 0, measurementPeriod: period, silos: {}, signals: {}, errors: 0, truthBytes: 0 };
  const count = (silo: SiloName, itemName: string, records: number, items: number) => {
    const s = (summary.silos[silo] ??= { records: 0, items: 0, itemName, bytes: 0 });
    s.records += records;
    s.items += items;
  };
  const errorSummary: ErrorSummary = {};
  const pendingBundles = new Set<Promise<void>>();
  const bucketsMade = new Set<string>();
  let ehrBytes = 0;
  let firstSignal = true;

  while (summary.people < total) {
    const household = generateHousehold(ctx, ids, summary.households, summary.people, total - summary.people);
    const plans = household.people.map((p) => planCare(ctx, p));
    const subscriberIndex = household.people.findIndex((_, i) => plans[i]!.inPayer);
    for (const [i, person] of household.people.entries()) {
      const plan = plans[i]!;
      const recorder = (silo: SiloName) => new ErrorRecorder(silo, rates, createRng(seed, 'errors', silo, person.index), errorSummary);
      const results: SiloResult[] = [];

      const ehr = renderEhrClinic({ ctx, ids, person, household, plan, errors: recorder('ehr-clinic') });
      if (ehr) {
        const bucket = ehr.mrn.slice(-3);
        if (!bucketsMade.has(bucket)) {
          mkdirSync(join(outDir, 'ehr-clinic/bundles', bucket), { recursive: true });
          bucketsMade.add(bucket);
        }
        ehrBytes += Buffer.byteLength(ehr.json);
        const p = writeFile(join(outDir, 'ehr-clinic/bundles', bucket, `${ehr.mrn}.json`), ehr.json).then(() => void pendingBundles.delete(p));
        pendingBundles.add(p);
        if (pendingBundles.size >= BUNDLE_WRITE_CONCURRENCY) await Promise.race(pendingBundles);
        results.push(ehr.result);
        count('ehr-clinic', 'bundles', 1, 1);
      }
      const hosp = renderHospital({ ctx, ids, providers, person, household, plan, errors: recorder('hospital'), ...(withLabs ? { labsControlId: (o) => labsControlId(ids, person.index, o) } : {}) });
      for (const m of hosp.messages) await hospital.add(m);
      results.push(hosp.result);
      count('hospital', 'messages', hosp.result.records.length, hosp.messages.length);
      if (labs) {
        const lab = renderReferenceLab({ ctx, ids, providers, person, household, plan, errors: recorder('labs') });
        for (const m of lab.messages) await labs.add(m);
        results.push(lab.result);
        count('labs', 'messages', lab.result.records.length, lab.messages.length);
      }
      const subscriber = household.people[subscriberIndex];
      const payer = subscriber
        ? renderPayer({ ctx, ids, providers, person, household, plan, errors: recorder('payer'), subscriber: { memberId: ids.memberId(subscriber.index), relationship: subscriber === person ? 'self' : relationshipTo(subscriber.relationship, person.relationship) } })
        : undefined;
      if (payer) {
        await enrollment.write(payer.enrollment);
        await claims.write(payer.claims);
        results.push(payer.result);
        count('payer', 'claims', 1, payer.claims.length === 0 ? 0 : payer.claims.split('\n').length - 1);
      }
      const crm = renderCrm({ ctx, ids, person, household, plan, errors: recorder('crm') });
      if (crm) {
        await contacts.write(crm.row);
        results.push(crm.result);
        count('crm', 'rows', 1, 1);
      }

      let ident = '';
      let errs = '';
      for (const r of results) {
        for (const rec of r.records) ident += csvRow([rec.silo, rec.recordId, rec.personId]);
        for (const e of r.errors) errs += csvRow([e.silo, e.recordId, e.field, e.kind, e.clean, e.dirty]);
        summary.errors += r.errors.length;
      }
      await identity.write(ident);
      if (errs) await errorsCsv.write(errs);
      await peopleCsv.write(personRow(person, household, ageOn(person.birthDay, startDay)));
      const signals = deriveSignals({ ctx, person, household, plan, silos: results });
      if (signals.length > 0) {
        let text = '';
        for (const s of signals) {
          text += `${firstSignal ? '' : ','}\n${JSON.stringify(s)}`;
          firstSignal = false;
          summary.signals[s.kind] = (summary.signals[s.kind] ?? 0) + 1;
        }
        await signalsJson.write(text);
      }
    }
    summary.people += household.people.length;
    summary.households++;
    options.onProgress?.(summary.people);
  }

  await Promise.all(pendingBundles);
  await signalsJson.write('\n]}\n');
  for (const sink of [enrollment, claims, contacts, identity, peopleCsv, errorsCsv, signalsJson]) await sink.close();
  await hospital.finish();
  if (labs) await labs.finish();
  if (summary.silos['ehr-clinic']) summary.silos['ehr-clinic'].bytes = ehrBytes;
  if (summary.silos.hospital) summary.silos.hospital.bytes = hospital.bytes;
  if (summary.silos.labs && labs) summary.silos.labs.bytes = labs.bytes;
  if (summary.silos.payer) summary.silos.payer.bytes = enrollment.bytes + claims.bytes;
  if (summary.silos.crm) summary.silos.crm.bytes = contacts.bytes;
  summary.truthBytes = identity.bytes + peopleCsv.bytes + errorsCsv.bytes + signalsJson.bytes;
  await writeStaticTruth(outDir, errorSummary, rates);
  await writeFile(join(outDir, 'README.md'), organizationReadme({ seed, people: total, period, labs: withLabs }));
  return summary;
}

/** Relationship of a dependent to the subscriber, from both people's relation to the householder. */
function relationshipTo(subscriber: string, person: string): 'spouse' | 'child' | 'other' {
  if (subscriber === 'self' && person === 'spouse') return 'spouse';
  if (subscriber === 'spouse' && person === 'self') return 'spouse';
  if ((subscriber === 'self' || subscriber === 'spouse') && person === 'child') return 'child';
  return 'other';
}
