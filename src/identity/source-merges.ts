/**
 * Merges a source system asserts. A source Patient's `Patient.link` says "this record and that
 * one concern the same actual patient" (R4 Patient.link: "Link to another patient resource that
 * concerns the same actual patient"); the HL7 integration writes one for every ADT^A40 (MRG-1,
 * patient-merge.ts), by the prior record's identifier. The identity layer honours the claim:
 * the two records belong to one person, whatever their demographics score, unless a person
 * said they are not a match (a human decision outranks a source's).
 *
 * Plain functions over FHIR Patients: which claims a record carries, and which source records
 * they name. The service (identity-service.ts) applies the pairs in batch relinks and online.
 */
import type { Identifier, Patient, PatientLink } from '@medplum/fhirtypes';
import { escapeValue } from '../record/search/search-values.ts';
import { isGoldenPatient, sourceSystemOfPatient } from './from-fhir-patient.ts';

/** Two source records one source says are the same patient; `survivor` is the one the source kept. */
export interface SourceMergePair {
  survivor: string;
  prior: string;
  /** What the source said, for the link's reasons and the decision log. */
  note: string;
}

const refOf = (p: Patient) => `Patient/${p.id ?? ''}`;
const identifierKey = (system: string | undefined, value: string) => `${system ?? ''}|${value.trim()}`;

/**
 * `replaced-by` points at the record that survived; `replaces`, `seealso` and `refer` are
 * carried by the survivor (an A40 updates the surviving record, MRG-1 names the retired one).
 */
function survivorIsCarrier(link: PatientLink): boolean {
  return link.type !== 'replaced-by';
}

function describeClaim(carrier: Patient, link: PatientLink): string {
  const said = link.other.display ?? `Patient.link ${link.type} ${link.other.reference ?? identifierKey(link.other.identifier?.system, link.other.identifier?.value ?? '')}`;
  return `source ${sourceSystemOfPatient(carrier)}: ${said}`;
}

/** Source Patients by reference and by identifier (`system|value`; a system-less one also by source). */
export class SourcePatientIndex {
  private readonly byRef = new Map<string, Patient>();
  private readonly byIdentifier = new Map<string, Set<string>>();

  constructor(patients: Iterable<Patient>) {
    for (const p of patients) this.add(p);
  }

  add(patient: Patient): void {
    if (isGoldenPatient(patient) || !patient.id) return;
    const ref = refOf(patient);
    this.byRef.set(ref, patient);
    for (const id of patient.identifier ?? []) {
      if (!id.value?.trim()) continue;
      for (const key of this.keysOf(id, patient)) (this.byIdentifier.get(key) ?? this.byIdentifier.set(key, new Set()).get(key)!).add(ref);
    }
  }

  patients(): Patient[] {
    return [...this.byRef.values()];
  }

  /** The source records a link names, other than the carrier itself. */
  resolve(carrier: Patient, link: PatientLink): string[] {
    const other = link.other;
    if (other.reference) return this.byRef.has(other.reference) && other.reference !== refOf(carrier) ? [other.reference] : [];
    const id = other.identifier;
    if (!id?.value?.trim()) return [];
    const [key] = this.keysOf(id, carrier);
    return [...(this.byIdentifier.get(key!) ?? [])].filter((r) => r !== refOf(carrier));
  }

  /**
   * An identifier without a system is only unique within its sender, so it is keyed with the
   * source system too; with a system, the system says whose it is.
   */
  private keysOf(id: Identifier, patient: Patient): string[] {
    return id.system ? [identifierKey(id.system, id.value!)] : [`${sourceSystemOfPatient(patient)}#${identifierKey(undefined, id.value!)}`];
  }
}

/** Every merge the indexed source Patients assert, once per pair of records. */
export function sourceMergePairs(index: SourcePatientIndex, carriers: Iterable<Patient> = index.patients()): SourceMergePair[] {
  const seen = new Set<string>();
  const out: SourceMergePair[] = [];
  for (const carrier of carriers) {
    if (isGoldenPatient(carrier)) continue;
    for (const link of carrier.link ?? []) {
      for (const other of index.resolve(carrier, link)) {
        const [survivor, prior] = survivorIsCarrier(link) ? [refOf(carrier), other] : [other, refOf(carrier)];
        const key = [survivor, prior].sort().join('\n');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ survivor, prior, note: describeClaim(carrier, link) });
      }
    }
  }
  return out;
}

const tokenOf = (id: Identifier) => (id.system ? `${escapeValue(id.system)}|${escapeValue(id.value!.trim())}` : escapeValue(id.value!.trim()));

/**
 * The FHIR searches that find the other side of these Patients' claims: the records their links
 * name by identifier (`identifier=`), and the records whose links name them (`link:identifier=`,
 * `link=`), since a claim can arrive before the record it names.
 */
export function sourceMergeSearches(patients: readonly Patient[]): [string, string][] {
  const named = new Set<string>();
  const naming = new Set<string>();
  const refs: string[] = [];
  for (const p of patients) {
    if (isGoldenPatient(p) || !p.id) continue;
    refs.push(refOf(p));
    for (const link of p.link ?? []) if (link.other.identifier?.value?.trim()) named.add(tokenOf(link.other.identifier));
    for (const id of p.identifier ?? []) if (id.system && id.value?.trim()) naming.add(tokenOf(id));
  }
  return [
    ...(named.size > 0 ? [['identifier', [...named].join(',')] as [string, string]] : []),
    ...(naming.size > 0 ? [['link:identifier', [...naming].join(',')] as [string, string]] : []),
    ...(refs.length > 0 ? [['link', refs.join(',')] as [string, string]] : []),
  ];
}

/**
 * Joins the engine's groups that a source's merge claims connect (source-merges.ts). A claim
 * is not honoured when a person said its two records, or any two records it would bring
 * together, are not a match (`notMatch` holds the pairs' references, sorted, joined by a newline).
 * Returns the claims honoured and those that joined two groups. Groups are changed in place.
 */
export function joinSourceMerges<P extends Pick<SourceMergePair, 'survivor' | 'prior'>>(
  groups: Map<number, number[]>,
  indexOfRef: ReadonlyMap<string, number>,
  pairs: readonly P[],
  notMatch: ReadonlySet<string>,
  refOf: (i: number) => string,
): { honoured: P[]; joined: P[] } {
  const groupOf = new Map<number, number>();
  for (const [g, members] of groups) for (const i of members) groupOf.set(i, g);
  const clash = (a: number[], b: number[]) => notMatch.size > 0 && a.some((i) => b.some((j) => notMatch.has([refOf(i), refOf(j)].sort().join('\n'))));
  const honoured: P[] = [];
  const joined: P[] = [];
  for (const pair of pairs) {
    const s = indexOfRef.get(pair.survivor);
    const p = indexOfRef.get(pair.prior);
    if (s === undefined || p === undefined) continue;
    const [gs, gp] = [groupOf.get(s)!, groupOf.get(p)!];
    if (gs === gp) {
      if (!clash([s], [p])) honoured.push(pair);
      continue;
    }
    const [into, from] = [groups.get(gs)!, groups.get(gp)!];
    if (clash(into, from)) continue;
    into.push(...from);
    groups.delete(gp);
    for (const i of from) groupOf.set(i, gs);
    honoured.push(pair);
    joined.push(pair);
  }
  return { honoured, joined };
}
