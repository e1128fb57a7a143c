/**
 * Medication conflict, two rules over the active medication lists the sources hold
 * (MedicationRequest and MedicationStatement), each drug reduced to its RxNorm ingredient
 * with the integration layer's drug normalization (matchDrugText, and the ingredient codings
 * it adds on entry):
 * - duplicate therapy: the same ingredient active under two names, brand and generic
 *   ("Lipitor" and "atorvastatin") in one source's list: likely taken twice;
 * - therapeutic duplication: two ingredients of one therapeutic class active at once, in one
 *   list or across sources ("sertraline" in the clinic, "escitalopram" dispensed): two SSRIs;
 *   the class table and its sources are in the drug table (normalize/tables/drugs.json);
 * - dose mismatch: the same ingredient active in two sources at different strengths
 *   ("metformin 500 mg" in the clinic, "metformin 1000 mg" dispensed);
 * - lists disagree: an ingredient one source lists as active that another source lists as
 *   stopped or completed (newer than the active entry), or that is missing from another
 *   source's active list. Only sources holding an active list at all are compared: a silo with
 *   no medications (a payer without pharmacy claims) says nothing about them, nor does a plan
 *   the member joined less than a fill cycle ago about what it has not dispensed yet.
 *
 * A payer's pharmacy claims are its medication list (dispensedUses): what was dispensed, as
 * the claim names it, for the days' supply the claim covers, as of the last day the payer could
 * see fills (the run, or the end of the member's coverage when that came first).
 */
import type { CodeableConcept, Coverage, ExplanationOfBenefit, MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import { RXNORM } from '../../../integration/normalize/codings.ts';
import { matchDrugText, shippedTables, type NormalizationTables } from '../../../integration/normalize/index.ts';
import { addDays, daysBetween, isoDay } from '../record-dates.ts';
import { entriesOf, evidenceOf, type PersonRecord, type RecordEntry } from '../person-record.ts';
import type { Finding, SignalContext, SignalKind } from '../signal.ts';

const version = '1.2.0';
type DrugTable = NormalizationTables['drugs'];
type MedicationEntry = RecordEntry<MedicationRequest | MedicationStatement>;

export interface MedicationUse {
  entry: MedicationEntry | RecordEntry<ExplanationOfBenefit>;
  ingredient: string;
  /** The name as written ("Lipitor 20 mg"), and whether it is a brand or the generic name. */
  name: string;
  form: 'brand' | 'generic' | 'unknown';
  state: 'active' | 'stopped';
  /** When the source last asserted it (authoredOn, dateAsserted, effective, meta.lastUpdated). */
  assertedAt: string;
}

const activeStatuses: Record<string, 'active' | 'stopped'> = {
  active: 'active',
  intended: 'active',
  'on-hold': 'active',
  stopped: 'stopped',
  completed: 'stopped',
  cancelled: 'stopped',
  'not-taken': 'stopped',
};

function conceptOf(resource: MedicationRequest | MedicationStatement): CodeableConcept | undefined {
  return resource.medicationCodeableConcept;
}

function assertedAt(resource: MedicationRequest | MedicationStatement): string {
  const own = resource.resourceType === 'MedicationRequest' ? resource.authoredOn : (resource.dateAsserted ?? resource.effectiveDateTime ?? resource.effectivePeriod?.start);
  return own ?? resource.meta?.lastUpdated ?? '';
}

/** A medication entry as an ingredient in use; undefined when no ingredient is recognised or the status says nothing. */
export function medicationUseOf(entry: MedicationEntry, table: DrugTable): MedicationUse | undefined {
  const state = activeStatuses[entry.resource.status];
  const concept = conceptOf(entry.resource);
  if (!state || !concept) return undefined;
  const drug = drugOf(concept, table);
  return drug ? { entry, ...drug, state, assertedAt: assertedAt(entry.resource) } : undefined;
}

/** The ingredient a coded or written drug names, with the name as written and its form. */
function drugOf(concept: CodeableConcept, table: DrugTable): Pick<MedicationUse, 'ingredient' | 'name' | 'form'> | undefined {
  const texts = [concept.text, ...(concept.coding ?? []).map((c) => c.display)].filter((t): t is string => !!t && t.trim() !== '');
  for (const text of texts) {
    const match = matchDrugText(text, table);
    if (match) return { ingredient: match.ingredient, name: text, form: match.via === 'brand' ? 'brand' : 'generic' };
  }
  // A code only: the ingredient coding normalization added (or the sender's).
  const rxnorm = concept.coding?.find((c) => c.system === RXNORM && table.drugs.some((d) => d.rxnorm === c.code));
  const drug = rxnorm ? table.drugs.find((d) => d.rxnorm === rxnorm.code) : undefined;
  return drug ? { ingredient: drug.ingredient, name: rxnorm?.display ?? drug.ingredient, form: 'unknown' } : undefined;
}

/**
 * How long after a fill's supply ran out the drug still counts as dispensed: refills come a
 * little late; a longer gap is a lapse, which says nothing (coverage ended, paid in cash),
 * so older fills are left out rather than read as stopped.
 */
const refillGraceDays = 30;
const claimType = 'http://terminology.hl7.org/CodeSystem/claim-type';

/** A payer whose member left the plan more than this long ago holds no current list at all. */
const endedCoverageLookbackDays = 365;

/**
 * The longest days' supply a fill covers: US plans dispense maintenance drugs for up to 90 days,
 * so a drug taken all along is refilled at least this often.
 */
const longestSupplyDays = 90;

/**
 * Payer sources whose member joined less than one fill cycle (the longest supply and the refill
 * grace) before the last day they could see fills: a drug the previous plan dispensed for 90
 * days need not have come up for refill yet, so its absence from the new plan's claims says
 * nothing. What they did dispense is still compared (doses, duplicates).
 */
function recentPayers(person: PersonRecord, viewEnds: Map<string, Date | undefined>): Set<string> {
  const starts = new Map<string, string>();
  for (const entry of entriesOf<Coverage>(person, 'Coverage')) {
    const start = entry.resource.period?.start?.slice(0, 10);
    if (!start || Number.isNaN(Date.parse(start))) continue;
    const known = starts.get(entry.source);
    if (!known || start < known) starts.set(entry.source, start);
  }
  const recent = new Set<string>();
  for (const [source, start] of starts) {
    const end = viewEnds.get(source);
    if (end && daysBetween(new Date(`${start}T00:00:00Z`), end) < longestSupplyDays + refillGraceDays) recent.add(source);
  }
  return recent;
}

/**
 * The last day each payer source could see the person's fills: the end of the member's latest
 * coverage with it (Coverage.period.end) when that is before `asOf`, else `asOf`. After coverage
 * ends the plan pays for nothing, so its fills stop whatever the person still takes: the last
 * ones are what it knows, not a sign the drug was stopped (a member who left the plan in May
 * still takes the 1000 mg of metformin the plan dispensed in April). Undefined for a payer whose
 * coverage ended over a year ago: its list is history.
 */
function payerViewEnds(person: PersonRecord, asOf: Date): Map<string, Date | undefined> {
  const ends = new Map<string, Date | undefined>();
  for (const entry of entriesOf<Coverage>(person, 'Coverage')) {
    const end = entry.resource.period?.end ? new Date(`${entry.resource.period.end.slice(0, 10)}T23:59:59.999Z`) : undefined;
    const viewEnd = !end || Number.isNaN(end.getTime()) || end >= asOf ? asOf : end;
    const known = ends.get(entry.source);
    if (!ends.has(entry.source) || (known && viewEnd > known)) ends.set(entry.source, viewEnd);
  }
  for (const [source, end] of ends) if (end && daysBetween(end, asOf) > endedCoverageLookbackDays) ends.set(source, undefined);
  return ends;
}

/**
 * The payer's medication list: each ingredient's latest pharmacy fill (ExplanationOfBenefit of
 * type pharmacy; item.productOrService names the drug, item.servicedPeriod the days' supply)
 * whose supply reaches to within the grace period of the last day the payer could see fills
 * (`asOf`, or the end of the member's coverage: payerViewEnds).
 */
export function dispensedUses(person: PersonRecord, table: DrugTable, asOf: Date): MedicationUse[] {
  const latest = new Map<string, MedicationUse>();
  const viewEnds = payerViewEnds(person, asOf);
  for (const entry of entriesOf<ExplanationOfBenefit>(person, 'ExplanationOfBenefit')) {
    if (!entry.resource.type?.coding?.some((c) => c.system === claimType && c.code === 'pharmacy')) continue;
    const viewEnd = viewEnds.has(entry.source) ? viewEnds.get(entry.source) : asOf;
    if (!viewEnd) continue;
    const since = isoDay(addDays(viewEnd, -refillGraceDays));
    for (const item of entry.resource.item ?? []) {
      const drug = drugOf(item.productOrService, table);
      const start = item.servicedPeriod?.start ?? item.servicedDate ?? entry.resource.billablePeriod?.start ?? '';
      const end = item.servicedPeriod?.end ?? start;
      if (!drug || !start || end < since || start > asOf.toISOString()) continue;
      const use: MedicationUse = { entry, ...drug, state: 'active', assertedAt: start };
      const key = `${entry.source}|${drug.ingredient}`;
      if (!latest.has(key) || latest.get(key)!.assertedAt < start) latest.set(key, use);
    }
  }
  return [...latest.values()];
}

function describe(use: MedicationUse): string {
  return `${use.name} (${use.state} in ${use.entry.source}${use.assertedAt ? `, ${use.assertedAt.slice(0, 10)}` : ''})`;
}

function duplicateTherapy(uses: MedicationUse[]): Finding[] {
  const findings: Finding[] = [];
  // Within one source's list: a brand in one silo and the generic in another is one drug
  // written two ways (the clinic's "amlodipine", the pharmacy's "Norvasc"), which the
  // dose-mismatch and lists-disagree rules compare.
  for (const [, group] of groupBy(uses.filter((u) => u.state === 'active'), (u) => `${u.ingredient}|${u.entry.source}`)) {
    const ingredient = group[0]!.ingredient;
    const brands = group.filter((u) => u.form === 'brand');
    const generics = group.filter((u) => u.form === 'generic');
    if (brands.length === 0 || generics.length === 0 || findings.some((f) => f.key === `duplicate-therapy|${ingredient}`)) continue;
    const involved = [...brands, ...generics];
    findings.push({
      kind: 'medication-conflict',
      key: `duplicate-therapy|${ingredient}`,
      priority: 'high',
      title: `Possible duplicate therapy: ${brands[0]!.name} and ${generics[0]!.name} are both ${ingredient}`,
      explanation: `The active medications include ${involved.map(describe).join(' and ')}: a brand and the generic name of the same ingredient, ${ingredient}. The person may be taking it twice.`,
      evidence: involved.map((u) => evidenceOf(u.entry, u.name)),
      rule: { id: 'medication-conflict/duplicate-therapy', version },
      actions: [{ code: 'reconcile-medications', display: `Reconcile medications: confirm which ${ingredient} product is taken and stop the other` }],
    });
  }
  return findings;
}

/** Active uses by therapeutic class and ingredient, for classes with two ingredients or more. */
function classDuplicates(uses: MedicationUse[], table: DrugTable): Map<string, Map<string, MedicationUse[]>> {
  const classOf = new Map(table.drugs.flatMap((d) => (d.class ? [[d.ingredient, d.class] as const] : [])));
  const duplicates = new Map<string, Map<string, MedicationUse[]>>();
  for (const [drugClass, group] of groupBy(uses.filter((u) => u.state === 'active' && classOf.has(u.ingredient)), (u) => classOf.get(u.ingredient)!)) {
    const byIngredient = groupBy(group, (u) => u.ingredient);
    if (byIngredient.size >= 2) duplicates.set(drugClass, byIngredient);
  }
  return duplicates;
}

function therapeuticDuplication(duplicates: Map<string, Map<string, MedicationUse[]>>): Finding[] {
  const findings: Finding[] = [];
  for (const [drugClass, byIngredient] of duplicates) {
    const involved = [...byIngredient.values()].map((list) => list.at(-1)!);
    findings.push({
      kind: 'medication-conflict',
      key: `therapeutic-duplication|${drugClass}`,
      priority: 'high',
      title: `Therapeutic duplication: ${involved.map((u) => u.ingredient).join(' and ')} are both ${drugClass} drugs`,
      explanation: `The active medications include ${involved.map(describe).join(' and ')}: ${byIngredient.size} different ${drugClass} drugs at once. One may have replaced the other without the list being updated, or both are being taken.`,
      evidence: involved.map((u) => evidenceOf(u.entry, u.name)),
      rule: { id: 'medication-conflict/therapeutic-duplication', version },
      actions: [{ code: 'reconcile-medications', display: `Reconcile medications: confirm which ${drugClass} drug the person takes and stop or remove the other` }],
    });
  }
  return findings;
}

/** The strength written in a medication name: "20 mg", "0.125 mg", "500mg" → `20 mg`. */
export function strengthOf(name: string): string | undefined {
  const m = /(\d+(?:\.\d+)?)\s*(mg|mcg|g|unit|units|ml|%)(?![a-z])/i.exec(name);
  return m ? `${Number(m[1])} ${m[2]!.toLowerCase().replace(/^units$/, 'unit')}` : undefined;
}

function doseMismatch(uses: MedicationUse[]): Finding[] {
  const findings: Finding[] = [];
  for (const [ingredient, group] of groupBy(uses.filter((u) => u.state === 'active'), (u) => u.ingredient)) {
    const bySource = groupBy(group.filter((u) => strengthOf(u.name)), (u) => u.entry.source);
    const strengths = new Set([...bySource.values()].map((list) => strengthOf(list.at(-1)!.name)));
    if (bySource.size < 2 || strengths.size < 2) continue;
    const involved = [...bySource.values()].map((list) => list.at(-1)!);
    findings.push({
      kind: 'medication-conflict',
      key: `dose-mismatch|${ingredient}`,
      priority: 'high',
      title: `${ingredient}: the sources disagree on the dose (${[...strengths].join(' vs ')})`,
      explanation: `${involved.map((u) => `${u.entry.source} has ${u.name}`).join('; ')}. Which dose the person takes needs confirming.`,
      evidence: involved.map((u) => evidenceOf(u.entry, u.name)),
      rule: { id: 'medication-conflict/dose-mismatch', version },
      actions: [{ code: 'reconcile-medications', display: `Confirm the ${ingredient} dose with the person and correct the sources` }],
    });
  }
  return findings;
}

/**
 * @param explained - ingredients of a therapeutic duplication: being absent from another list is that finding's to say
 * @param partialLists - sources whose list cannot show a drug's absence (recentPayers)
 */
function listsDisagree(uses: MedicationUse[], explained: ReadonlySet<string>, partialLists: ReadonlySet<string>): Finding[] {
  const listSources = new Set(uses.filter((u) => u.state === 'active').map((u) => u.entry.source));
  if (listSources.size < 2 && !uses.some((u) => u.state === 'stopped')) return [];
  const findings: Finding[] = [];
  for (const [ingredient, group] of groupBy(uses, (u) => u.ingredient)) {
    const active = group.filter((u) => u.state === 'active');
    if (active.length === 0) continue;
    const newestActive = active.map((u) => u.assertedAt).sort().at(-1)!;
    const activeIn = new Set(active.map((u) => u.entry.source));
    // Stopped in a source that does not also list it as active, after the newest active entry.
    const stopped = group.filter((u) => u.state === 'stopped' && !activeIn.has(u.entry.source) && u.assertedAt >= newestActive);
    const missingFrom = [...listSources].filter((s) => !partialLists.has(s) && !group.some((u) => u.entry.source === s)).sort();
    if (stopped.length === 0 && (missingFrom.length === 0 || explained.has(ingredient))) continue;
    const parts = [
      `${ingredient} is active in ${[...activeIn].sort().join(', ')} (${active.map(describe).join('; ')})`,
      ...(stopped.length > 0 ? [`but ${stopped.map((u) => `${u.entry.source} records it as stopped (${u.name}, ${u.assertedAt.slice(0, 10)})`).join('; ')}`] : []),
      ...(missingFrom.length > 0 ? [`and absent from the active list of ${missingFrom.join(', ')}`] : []),
    ];
    findings.push({
      kind: 'medication-conflict',
      key: `lists-disagree|${ingredient}`,
      priority: stopped.length > 0 ? 'high' : 'moderate',
      title: stopped.length > 0 ? `${ingredient}: active in one source, stopped in another` : `${ingredient}: missing from ${missingFrom.join(', ')}'s medication list`,
      explanation: `${parts.join(' ')}.`,
      evidence: [...active, ...stopped].map((u) => evidenceOf(u.entry, u.name)),
      rule: { id: 'medication-conflict/lists-disagree', version },
      actions: [{ code: 'reconcile-medications', display: `Reconcile the medication lists for ${ingredient} with the person and update the sources` }],
    });
  }
  return findings;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

function detect(person: PersonRecord, context: SignalContext): Finding[] {
  const table = context.services.drugTable ?? shippedTables().drugs;
  const entries: MedicationEntry[] = [...entriesOf<MedicationRequest>(person, 'MedicationRequest'), ...entriesOf<MedicationStatement>(person, 'MedicationStatement')];
  const uses = [...entries.map((e) => medicationUseOf(e, table)).filter((u): u is MedicationUse => u !== undefined), ...dispensedUses(person, table, context.asOf)];
  const duplicates = classDuplicates(uses, table);
  // The ingredients of a therapeutic duplication differ between the lists by nature: that one
  // finding says so, not a "missing from the other list" finding for each ingredient. A stop
  // recorded in another source is still its own finding.
  const duplicated = new Set([...duplicates.values()].flatMap((byIngredient) => [...byIngredient.keys()]));
  const partialLists = recentPayers(person, payerViewEnds(person, context.asOf));
  return [...duplicateTherapy(uses), ...therapeuticDuplication(duplicates), ...doseMismatch(uses), ...listsDisagree(uses, duplicated, partialLists)];
}

export const medicationConflict: SignalKind = {
  id: 'medication-conflict',
  version,
  description: 'active medication lists from different sources disagree (presence, status, dose), or the same ingredient is active as brand and generic',
  detect,
};
