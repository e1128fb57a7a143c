/**
 * The master person index over the database: batch relink, golden records, review queue and
 * manual decisions (link, unlink, merge, unmerge, not a match). Transport-free (the API plugin
 * and the CLI are adapters); each call is decided by the access policy on Patient data and
 * audited with who, score and reasons, and every decision is also kept in identity_decision.
 *
 * Human decisions bind the machine: a record a person linked stays with that person in later
 * relinks, and a "not a match" pair is never linked automatically nor proposed again.
 */
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { canonicalJson } from '../platform/canonical-json.ts';
import type { Db } from '../platform/db/db.ts';
import { LongitudeError } from '../platform/errors.ts';
import type { ResourceStore } from '../record/resource-store.ts';
import { SearchService, type SearchParameterRegistry } from '../record/search/index.ts';
import type { AccessContext } from '../trust/access-context.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { probabilityToWeight, resolveIdentityConfig, weightToProbability, type IdentityConfig } from './config.ts';
import { explainPair, scorePair, type FieldWeight, type MatchModel } from './fellegi-sunter.ts';
import { isGoldenPatient, patientToSourceRecord, sourceSystemOfPatient } from './from-fhir-patient.ts';
import { writeGoldenRecords, type GoldenPerson } from './golden-record.ts';
import { describeReasons, identityAccess, type IdentityAccess } from './identity-access.ts';
import { linkRecords, type LinkStage } from './link.ts';
import { saveModel } from './model-store.ts';
import { OnlineLinker, type MatchCandidate } from './online-linker.ts';
import * as sql from './person-store.ts';
import { movePerson, rebuildPersons } from './person-writes.ts';
import { SourcePatientIndex, joinSourceMerges, sourceMergePairs, type SourceMergePair } from './source-merges.ts';
import { loadSurvivorshipRules, surviveGoldenRecord, type SurvivorSource, type SurvivorshipRules } from './survivorship.ts';
import type { NormalizedRecord, SourceRecord } from './types.ts';

export interface IdentityServiceDeps {
  db: Db;
  store: ResourceStore;
  audit: AuditLog;
  searchParameters: SearchParameterRegistry;
  rules?: SurvivorshipRules;
  /** Engine settings (thresholds fixed in advance; see config.ts). */
  identityConfig?: Partial<IdentityConfig>;
  /**
   * Told which persons' records were linked anew (all of them after a relink), so facts stored
   * once per source before the link can become one (integration/same-fact-consolidation.ts;
   * the hub passes it in). Returns how many copies it removed.
   */
  afterLinking?: (ctx: AccessContext, persons?: readonly string[]) => Promise<{ removed: number }>;
}

export interface RelinkSummary {
  sourceRecords: number;
  persons: number;
  personsCreated: number;
  personsKept: number;
  personsMerged: number;
  personsRetired: number;
  linksChanged: number;
  reviewOpened: number;
  goldenWritten: number;
  /** Same facts held once per source, made one after linking (afterLinking). */
  sameFactCopiesRemoved: number;
  pairsCompared: number;
  seconds: number;
}

export type RelinkProgress = (stage: LinkStage | 'read' | 'store', done: number, total: number) => void;


export type { MatchCandidate };

export interface PersonView {
  person: sql.PersonRow;
  golden: Patient | null;
  provenance: Record<string, unknown>;
  sources: { reference: string; source: string; resource: Patient }[];
  links: sql.LinkRow[];
  mergedFrom: string[];
  decisions: sql.DecisionRow[];
}

/** Best pairwise match of a record with the other members of its person, for the link's score and reasons. */
function bestPartner(model: MatchModel, rec: NormalizedRecord, mates: readonly NormalizedRecord[]): { weight: number; reasons: FieldWeight[] } | undefined {
  let best: { weight: number; reasons: FieldWeight[] } | undefined;
  for (const mate of mates.slice(0, 50)) {
    if (mate === rec) continue;
    const weight = scorePair(model, rec, mate);
    if (!best || weight > best.weight) best = { weight, reasons: explainPair(model, rec, mate) };
  }
  return best;
}

export class IdentityService {
  readonly rules: SurvivorshipRules;
  private readonly config: IdentityConfig;
  private readonly search: SearchService;
  private readonly access: IdentityAccess;
  private readonly online: OnlineLinker;

  constructor(private readonly deps: IdentityServiceDeps) {
    this.rules = deps.rules ?? loadSurvivorshipRules();
    this.config = resolveIdentityConfig(deps.identityConfig);
    this.search = new SearchService({ db: deps.db, audit: deps.audit, parameters: deps.searchParameters });
    this.access = identityAccess(deps.audit);
    this.online = new OnlineLinker({ db: deps.db, store: deps.store, search: this.search, config: this.config, rules: this.rules, access: this.access });
  }

  // ---------------------------------------------------------------- batch

  /** Every source Patient in the record (golden Patients excluded), read page by page through the store's search. */
  async readSourcePatients(ctx: AccessContext, onProgress?: (done: number) => void): Promise<Patient[]> {
    const out: Patient[] = [];
    let cursor: string | undefined;
    do {
      const query: [string, string][] = [['_count', '1000'], ['_sort', '_id']];
      if (cursor) query.push(['_cursor', cursor]);
      const page = await this.search.search(ctx, 'Patient', query);
      for (const r of page.resources) if (!isGoldenPatient(r as Patient)) out.push(r as Patient);
      onProgress?.(out.length);
      cursor = page.next;
    } while (cursor);
    return out;
  }

  /**
   * `identity relink --all`: links every source Patient with the engine, keeps person ids where
   * clusters persist (each cluster takes the existing person most of its records belonged to),
   * honours human decisions, opens review items and rebuilds every golden record.
   */
  async relinkAll(ctx: AccessContext, options: { onProgress?: RelinkProgress } = {}): Promise<RelinkSummary> {
    const started = performance.now();
    await this.access.authorize(ctx, 'update', 'operation', { query: 'identity relink --all' });
    const progress = options.onProgress ?? (() => undefined);
    const patients = await this.readSourcePatients(ctx, (n) => progress('read', n, n));
    const byRef = new Map(patients.map((p) => [`Patient/${p.id}`, p]));
    const input = inContentOrder(patients.map(patientToSourceRecord));
    const result = linkRecords(input, { config: this.config, onProgress: (s, d, t) => progress(s, d, t) });
    const { records, model } = result;
    const n = records.length;
    const refOf = (i: number) => (records[i] as NormalizedRecord).recordId;

    const existing = new Map((await sql.allLinks(this.deps.db)).map((l) => [l.recordRef, l]));
    const persons = new Map((await sql.allPersons(this.deps.db)).map((p) => [p.id, p]));
    const pinned = new Map([...existing.values()].filter((l) => l.decidedBy === 'user' && byRef.has(l.recordRef)).map((l) => [l.recordRef, l]));
    const notMatch = new Set((await sql.allNotMatches(this.deps.db)).map(([a, b]) => `${a}\n${b}`));

    // Engine clusters, then "not a match" splits: a record said to be another's non-match leaves (unless pinned).
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = result.clusterOf[i] as number;
      (groups.get(c) ?? groups.set(c, []).get(c)!).push(i);
    }
    let nextGroup = n;
    for (const [key, members] of [...groups]) {
      if (members.length < 2 || notMatch.size === 0) continue;
      const kept: number[] = [];
      for (const i of members) {
        const clash = kept.some((k) => notMatch.has(sql.orderedPair(refOf(i), refOf(k)).join('\n')));
        if (clash && !pinned.has(refOf(i))) groups.set(nextGroup++, [i]);
        else kept.push(i);
      }
      groups.set(key, kept);
    }
    const sourceMerges = joinSourceMerges(groups, new Map(records.map((r, i) => [r.recordId, i])), sourceMergePairs(new SourcePatientIndex(patients)), notMatch, refOf);

    // Stable ids: greedy, largest overlap with an existing active person first.
    const votes: { group: number; person: string; count: number }[] = [];
    for (const [g, members] of groups) {
      const count = new Map<string, number>();
      for (const i of members) {
        const personId = existing.get(refOf(i))?.personId;
        if (personId && persons.get(personId)?.status === 'active') count.set(personId, (count.get(personId) ?? 0) + 1);
      }
      for (const [person, c] of count) votes.push({ group: g, person, count: c });
    }
    votes.sort((a, b) => b.count - a.count || (a.person < b.person ? -1 : 1) || a.group - b.group);
    const personOfGroup = new Map<number, string>();
    const taken = new Set<string>();
    for (const v of votes) {
      if (personOfGroup.has(v.group) || taken.has(v.person)) continue;
      personOfGroup.set(v.group, v.person);
      taken.add(v.person);
    }
    const created: string[] = [];
    for (const g of groups.keys()) {
      if (!personOfGroup.has(g)) {
        const id = randomUUID();
        personOfGroup.set(g, id);
        created.push(id);
      }
    }
    const finalPerson = new Map<string, string>();
    for (const [g, members] of groups) for (const i of members) finalPerson.set(refOf(i), personOfGroup.get(g)!);
    for (const [ref, link] of pinned) finalPerson.set(ref, link.personId);

    const membersOf = new Map<string, number[]>();
    records.forEach((r, i) => {
      const p = finalPerson.get(r.recordId)!;
      (membersOf.get(p) ?? membersOf.set(p, []).get(p)!).push(i);
    });

    // Links with their score and reasons; pinned (human) links are kept as they are. A record
    // the engine would not link on its own but a source's merge put in the person says so.
    const linkWeight = probabilityToWeight(this.config.linkProbability);
    const claimOf = new Map<string, SourceMergePair>();
    for (const pair of sourceMerges.honoured) {
      if (finalPerson.get(pair.survivor) !== finalPerson.get(pair.prior)) continue;
      claimOf.set(pair.prior, pair);
      if (!claimOf.has(pair.survivor)) claimOf.set(pair.survivor, pair);
    }
    const actor = ctx.actor.id;
    const links: sql.LinkRow[] = [];
    const decisions: sql.Decision[] = [];
    let linksChanged = 0;
    for (const [personId, members] of membersOf) {
      const mates = members.map((i) => records[i] as NormalizedRecord);
      const before = new Set([...existing.values()].filter((l) => l.personId === personId).map((l) => l.recordRef));
      const after = mates.map((m) => m.recordId);
      const added = after.filter((r) => !before.has(r));
      const removed = [...before].filter((r) => !finalPerson.has(r) || finalPerson.get(r) !== personId);
      for (const rec of mates) {
        if (pinned.has(rec.recordId)) continue;
        const best = bestPartner(model, rec, mates);
        const claim = claimOf.get(rec.recordId);
        const bySource = claim !== undefined && (!best || best.weight < linkWeight);
        const link: sql.LinkRow = {
          recordRef: rec.recordId, personId, source: rec.source,
          score: best?.weight ?? null, probability: best ? weightToProbability(best.weight) : null,
          rule: bySource ? 'source-merge' : best ? 'auto-link' : 'auto-single',
          reasons: bySource ? [{ note: claim.note }] : best?.reasons ?? [], decidedBy: 'auto', decidedById: actor,
        };
        const old = existing.get(rec.recordId);
        if (!old || old.personId !== personId) linksChanged++;
        links.push(link);
      }
      if (added.length > 0 || removed.length > 0) {
        decisions.push({ decidedBy: 'auto', decidedById: actor, action: 'relink', personId, recordRefs: after, reasons: { added, removed } });
      }
    }

    // Persons that lost every record: merged into the person that took all of them, else retired.
    const merged: { id: string; into: string }[] = [];
    const retired: string[] = [];
    for (const p of persons.values()) {
      if (p.status !== 'active' || membersOf.has(p.id)) continue;
      const targets = new Set([...existing.values()].filter((l) => l.personId === p.id).map((l) => finalPerson.get(l.recordRef)).filter((x): x is string => !!x));
      if (targets.size === 1) merged.push({ id: p.id, into: [...targets][0]! });
      else retired.push(p.id);
    }
    for (const m of merged) decisions.push({ decidedBy: 'auto', decidedById: actor, action: 'merge', personId: m.into, otherPersonId: m.id, reasons: { note: 'relink: every record now belongs to the survivor' } });
    for (const pair of sourceMerges.joined) {
      decisions.push({ decidedBy: 'auto', decidedById: actor, action: 'source-merge', personId: finalPerson.get(pair.survivor) ?? null, recordRefs: [pair.survivor, pair.prior], reasons: { note: pair.note } });
    }

    const reviewItems = result.reviewPairs
      .filter((p) => finalPerson.get(refOf(p.i)) !== finalPerson.get(refOf(p.j)))
      .map((p) => ({
        recordA: refOf(p.i), recordB: refOf(p.j), score: Math.min(p.weight, linkWeight), probability: weightToProbability(p.weight),
        weights: explainPair(model, records[p.i] as NormalizedRecord, records[p.j] as NormalizedRecord),
      }));

    progress('store', 0, membersOf.size);
    const reviewOpened = await this.deps.db.transaction(async (tx) => {
      await sql.insertPersons(tx, [...membersOf.keys()]);
      await sql.setPersonStatus(tx, [...membersOf.keys()].filter((id) => persons.get(id)?.status !== 'active' && persons.has(id)), 'active');
      await sql.upsertLinks(tx, links);
      for (const m of merged) await sql.setPersonStatus(tx, [m.id], 'merged', m.into);
      await sql.setPersonStatus(tx, retired, 'retired');
      await sql.appendDecisions(tx, decisions);
      await saveModel(tx, model, n);
      const opened = await sql.openReviewItems(tx, reviewItems);
      await sql.supersedeSettledReviews(tx);
      return opened;
    });

    // Golden records, 200 persons per unit of work; rebuilding is idempotent, so a rerun repairs an interrupted one.
    const fresh = new Set(created);
    const work: { person: GoldenPerson; sources: SurvivorSource[]; isNew?: boolean }[] = [
      ...[...membersOf].map(([id, members]) => ({
        person: { id, status: 'active' as const, replacedBy: null },
        isNew: fresh.has(id),
        sources: members.map((i) => ({ ref: refOf(i), patient: byRef.get(refOf(i))!, source: (records[i] as NormalizedRecord).source })),
      })),
      ...merged.map((m) => ({ person: { id: m.id, status: 'merged' as const, replacedBy: m.into }, sources: [] })),
      ...retired.map((id) => ({ person: { id, status: 'retired' as const, replacedBy: null }, sources: [] })),
    ];
    let goldenWritten = 0;
    for (let k = 0; k < work.length; k += 200) {
      const chunk = work.slice(k, k + 200);
      const writes = await this.deps.store.transaction(ctx, (tx) => writeGoldenRecords(tx, chunk, this.rules));
      goldenWritten += writes.filter((w) => w.written).length;
      progress('store', Math.min(k + 200, work.length), work.length);
    }
    const summary: RelinkSummary = {
      sourceRecords: n,
      persons: membersOf.size,
      personsCreated: created.filter((id) => membersOf.has(id)).length,
      personsKept: [...membersOf.keys()].filter((id) => persons.has(id)).length,
      personsMerged: merged.length,
      personsRetired: retired.length,
      linksChanged,
      reviewOpened,
      goldenWritten,
      sameFactCopiesRemoved: this.deps.afterLinking ? (await this.deps.afterLinking(ctx)).removed : 0,
      pairsCompared: result.pairsCompared,
      seconds: (performance.now() - started) / 1000,
    };
    await this.deps.audit.record({
      ctx, interaction: 'operation', outcome: 'success', entity: { resourceType: 'Patient', query: 'identity relink --all' },
      description: `identity relink: ${summary.sourceRecords} records, ${summary.persons} persons, ${summary.linksChanged} links changed, ${summary.reviewOpened} review items opened`,
    });
    return summary;
  }

  // ---------------------------------------------------------------- reading

  /**
   * `$match` (http://hl7.org/fhir/R4/patient-operation-match.html): the persons a Patient most
   * likely is, best first, with the posterior and a match grade: `certain` when the engine puts
   * the input in the person's cluster, `probable` at or above the link threshold, `possible` at
   * or above the review threshold. With the model the last relink stored, the input is
   * matched as a new record is online (candidate searches, the person's members); without
   * one, the model is estimated on the stored source Patients plus the input, which costs
   * about one batch link (see docs/identity.md).
   */
  async matchPatient(ctx: AccessContext, patient: Patient, options: { count?: number; onlyCertainMatches?: boolean } = {}): Promise<MatchCandidate[]> {
    await this.access.authorize(ctx, 'search', 'search', { query: 'Patient/$match' });
    const model = await this.online.storedModel();
    const candidates = model ? await this.online.match(ctx, patient, model) : await this.matchByEstimating(ctx, patient);
    const rank = { certain: 2, probable: 1, possible: 0 } as const;
    return candidates
      .filter((c) => !options.onlyCertainMatches || c.grade === 'certain')
      .sort((a, b) => rank[b.grade] - rank[a.grade] || b.score - a.score)
      .slice(0, options.count ?? 10);
  }

  private async matchByEstimating(ctx: AccessContext, patient: Patient): Promise<MatchCandidate[]> {
    const inputId = patient.id ?? 'match-input';
    const patients = (await this.readSourcePatients(ctx)).filter((p) => p.id !== inputId);
    const result = linkRecords([...patients.map(patientToSourceRecord), patientToSourceRecord({ ...patient, id: inputId })], { config: this.config });
    const q = result.records.length - 1;
    const query = result.records[q] as NormalizedRecord;
    const linkWeight = probabilityToWeight(this.config.linkProbability);
    const reviewWeight = probabilityToWeight(this.config.reviewProbability);
    const best = new Map<string, MatchCandidate>();
    for (let i = 0; i < q; i++) {
      const rec = result.records[i] as NormalizedRecord;
      const weight = scorePair(result.model, query, rec);
      if (weight < reviewWeight) continue;
      const link = await sql.linkOfRecord(this.deps.db, rec.recordId);
      if (!link) continue;
      const grade = result.clusterOf[i] === result.clusterOf[q] ? 'certain' : weight >= linkWeight ? 'probable' : 'possible';
      const prior = best.get(link.personId);
      const rank = { certain: 2, probable: 1, possible: 0 } as const;
      if (prior && (rank[prior.grade] > rank[grade] || (rank[prior.grade] === rank[grade] && prior.score >= weight))) continue;
      best.set(link.personId, { personId: link.personId, record: rec.recordId, score: weight, probability: weightToProbability(weight), grade, reasons: explainPair(result.model, query, rec) });
    }
    return [...best.values()];
  }

  async getPerson(ctx: AccessContext, id: string): Promise<PersonView> {
    await this.access.authorize(ctx, 'read', 'read', { reference: `Patient/${id}`, query: 'identity person' });
    const person = await sql.getPerson(this.deps.db, id);
    if (!person) throw new LongitudeError('LNG_NOT_FOUND', `person ${id} is not known`);
    const links = await sql.linksOfPersons(this.deps.db, [id]);
    const sources = await this.readSources(ctx, links);
    let golden: Patient | null = null;
    try {
      golden = await this.deps.store.read<Patient>(ctx, 'Patient', id);
    } catch (err) {
      if (!(err instanceof LongitudeError && (err.code === 'LNG_NOT_FOUND' || err.code === 'LNG_GONE'))) throw err;
    }
    const provenance = sources.length > 0 ? surviveGoldenRecord(sources, this.rules).provenance : {};
    return {
      person,
      golden,
      provenance,
      // The source records as stored, so a reader can see each silo's values beside the golden one.
      sources: sources.map((s) => ({ reference: s.ref, source: s.source ?? sourceSystemOfPatient(s.patient), resource: s.patient })),
      links,
      mergedFrom: await sql.personsReplacedBy(this.deps.db, id),
      decisions: await sql.decisionsOfPerson(this.deps.db, id),
    };
  }

  async reviewQueue(ctx: AccessContext, options: { limit?: number; afterId?: number } = {}): Promise<{ item: sql.ReviewItem; a: Patient | null; b: Patient | null; personA: string | null; personB: string | null }[]> {
    await this.access.authorize(ctx, 'search', 'search', { query: 'identity review' });
    const items = await sql.listReviewItems(this.deps.db, { status: 'open', ...options });
    const out = [];
    for (const item of items) {
      const [a, b] = await Promise.all([this.readSource(ctx, item.recordA), this.readSource(ctx, item.recordB)]);
      const [la, lb] = await Promise.all([sql.linkOfRecord(this.deps.db, item.recordA), sql.linkOfRecord(this.deps.db, item.recordB)]);
      out.push({ item, a, b, personA: la?.personId ?? null, personB: lb?.personId ?? null });
    }
    return out;
  }

  // ---------------------------------------------------------------- decisions

  /** Decides a review item: `link` puts record B with record A's person; `not-a-match` remembers the pair. */
  async decideReview(ctx: AccessContext, id: number, decision: 'link' | 'not-a-match'): Promise<{ personId: string | null }> {
    await this.access.permit(ctx, 'identity review');
    const item = await sql.getReviewItem(this.deps.db, id);
    if (!item) throw new LongitudeError('LNG_NOT_FOUND', `review item ${id} is not known`);
    if (item.status !== 'open') throw new LongitudeError('LNG_CONFLICT', `review item ${id} is already ${item.status}`);
    const reasons = describeReasons(item.weights);
    if (decision === 'not-a-match') {
      await this.access.authorize(ctx, 'update', 'update', { reference: item.recordA, query: `identity review ${id}` },
        `not a match: ${item.recordA} ≠ ${item.recordB} (score ${item.score.toFixed(1)}; ${reasons})`);
      await this.deps.db.transaction(async (tx) => {
        await sql.addNotMatch(tx, item.recordA, item.recordB, ctx.actor.id);
        await sql.closeReviewItem(tx, id, 'not-a-match', ctx.actor.id);
        await sql.appendDecisions(tx, [{ decidedBy: 'user', decidedById: ctx.actor.id, action: 'review-not-a-match', recordRefs: [item.recordA, item.recordB], score: item.score, reasons: item.weights }]);
      });
      return { personId: null };
    }
    const [linkA, linkB] = await Promise.all([sql.linkOfRecord(this.deps.db, item.recordA), sql.linkOfRecord(this.deps.db, item.recordB)]);
    if (!linkA || !linkB) throw new LongitudeError('LNG_CONFLICT', `${linkA ? item.recordB : item.recordA} is not linked to a person; run identity relink`);
    // The pair is ordered by reference, not by who is alone: the record of the smaller person
    // joins the larger one, so linking a stray record never pulls a record out of its person.
    const members = await sql.linksOfPersons(this.deps.db, [linkA.personId, linkB.personId]);
    const size = (personId: string) => members.filter((l) => l.personId === personId).length;
    const [moved, target] = size(linkA.personId) < size(linkB.personId) ? [item.recordA, linkB] : [item.recordB, linkA];
    await this.linkRecord(ctx, moved, target.personId, { rule: 'review-link', score: item.score, probability: item.probability, reasons: item.weights, reviewId: id });
    return { personId: target.personId };
  }

  /** Links a source record to a person (moving it from its current person). */
  async linkRecord(
    ctx: AccessContext,
    recordRef: string,
    personId: string,
    via: { rule?: string; score?: number | null; probability?: number | null; reasons?: FieldWeight[] | { note: string }[]; reviewId?: number } = {},
  ): Promise<void> {
    await this.access.permit(ctx, 'identity link');
    const person = await sql.getPerson(this.deps.db, personId);
    if (!person) throw new LongitudeError('LNG_NOT_FOUND', `person ${personId} is not known`);
    if (person.status !== 'active') throw new LongitudeError('LNG_CONFLICT', `person ${personId} is ${person.status}${person.replacedBy ? ` (replaced by ${person.replacedBy})` : ''}`);
    const patient = await this.readSource(ctx, recordRef);
    if (!patient) throw new LongitudeError('LNG_NOT_FOUND', `${recordRef} is not a source Patient`);
    const previous = await sql.linkOfRecord(this.deps.db, recordRef);
    const rule = via.rule ?? 'manual-link';
    await this.access.authorize(ctx, 'update', 'update', { reference: `Patient/${personId}`, query: `identity ${rule}` },
      `${rule}: ${recordRef} → person ${personId}${previous && previous.personId !== personId ? ` (from ${previous.personId})` : ''}${via.score != null ? ` score ${via.score.toFixed(1)}` : ''}${via.reasons && 'comparison' in (via.reasons[0] ?? {}) ? `; ${describeReasons(via.reasons as FieldWeight[])}` : ''}`);
    const affected = [personId, ...(previous && previous.personId !== personId ? [previous.personId] : [])];
    await this.deps.store.transaction(ctx, async (tx) => {
      await tx.alongside(async (q) => {
        await sql.upsertLinks(q, [{
          recordRef, personId, source: sourceSystemOfPatient(patient), score: via.score ?? null, probability: via.probability ?? null,
          rule, reasons: via.reasons ?? [], decidedBy: 'user', decidedById: ctx.actor.id,
        }]);
        if (via.reviewId !== undefined) await sql.closeReviewItem(q, via.reviewId, 'linked', ctx.actor.id);
        await sql.appendDecisions(q, [{
          decidedBy: 'user', decidedById: ctx.actor.id, action: rule, personId, otherPersonId: previous?.personId ?? null,
          recordRefs: [recordRef], score: via.score ?? null, reasons: via.reasons ?? [],
        }]);
        await sql.supersedeSettledReviews(q);
      });
      await rebuildPersons(tx, this.rules, affected);
    });
  }

  /** Takes a source record out of its person into a person of its own (pinned there). */
  async unlinkRecord(ctx: AccessContext, recordRef: string): Promise<{ personId: string }> {
    await this.access.permit(ctx, 'identity unlink');
    const previous = await sql.linkOfRecord(this.deps.db, recordRef);
    if (!previous) throw new LongitudeError('LNG_NOT_FOUND', `${recordRef} is not linked to a person`);
    const patient = await this.readSource(ctx, recordRef);
    if (!patient) throw new LongitudeError('LNG_NOT_FOUND', `${recordRef} is not a source Patient`);
    const personId = randomUUID();
    await this.access.authorize(ctx, 'update', 'update', { reference: `Patient/${previous.personId}`, query: 'identity unlink' },
      `unlink: ${recordRef} from person ${previous.personId} to new person ${personId}`);
    await this.deps.store.transaction(ctx, async (tx) => {
      await tx.alongside(async (q) => {
        await sql.insertPersons(q, [personId]);
        await sql.upsertLinks(q, [{
          recordRef, personId, source: sourceSystemOfPatient(patient), score: null, probability: null, rule: 'manual-unlink',
          reasons: [{ note: `unlinked from ${previous.personId}` }], decidedBy: 'user', decidedById: ctx.actor.id,
        }]);
        await sql.appendDecisions(q, [{ decidedBy: 'user', decidedById: ctx.actor.id, action: 'unlink', personId: previous.personId, otherPersonId: personId, recordRefs: [recordRef] }]);
      });
      await rebuildPersons(tx, this.rules, [previous.personId, personId]);
    });
    return { personId };
  }

  /** Merges `otherId` into `survivorId`: the survivor keeps its id, the other is redirected (replaced-by). */
  async merge(ctx: AccessContext, survivorId: string, otherId: string): Promise<void> {
    await this.access.permit(ctx, 'identity merge');
    if (survivorId === otherId) throw new LongitudeError('LNG_BAD_REQUEST', 'a person cannot be merged into itself');
    const [survivor, other] = await Promise.all([sql.getPerson(this.deps.db, survivorId), sql.getPerson(this.deps.db, otherId)]);
    for (const [id, p] of [[survivorId, survivor], [otherId, other]] as const) {
      if (!p) throw new LongitudeError('LNG_NOT_FOUND', `person ${id} is not known`);
      if (p.status !== 'active') throw new LongitudeError('LNG_CONFLICT', `person ${id} is ${p.status}`);
    }
    const moved = await sql.linksOfPersons(this.deps.db, [otherId]);
    await this.access.authorize(ctx, 'update', 'update', { reference: `Patient/${survivorId}`, query: 'identity merge' },
      `merge: person ${otherId} into ${survivorId} (${moved.length} records)`);
    await this.deps.store.transaction(ctx, (tx) => movePerson(tx, ctx, this.rules, { survivorId, otherId, moved, decidedBy: 'user', rule: 'merge' }));
  }

  /**
   * Undoes the last merge of `mergedId`: the person is active again with the records the merge
   * moved (those still with the survivor), and both golden records are rebuilt. The restored
   * links are human decisions, so a later relink keeps them apart.
   */
  async unmerge(ctx: AccessContext, mergedId: string): Promise<{ survivorId: string; restored: string[] }> {
    await this.access.permit(ctx, 'identity unmerge');
    const person = await sql.getPerson(this.deps.db, mergedId);
    if (!person) throw new LongitudeError('LNG_NOT_FOUND', `person ${mergedId} is not known`);
    if (person.status !== 'merged' || !person.replacedBy) throw new LongitudeError('LNG_CONFLICT', `person ${mergedId} is not merged`);
    const survivorId = person.replacedBy;
    const merge = await sql.lastMerge(this.deps.db, mergedId);
    const current = new Map((await sql.linksOfPersons(this.deps.db, [survivorId])).map((l) => [l.recordRef, l]));
    const restored = (merge?.recordRefs ?? []).filter((r) => current.has(r));
    await this.access.authorize(ctx, 'update', 'update', { reference: `Patient/${mergedId}`, query: 'identity unmerge' },
      `unmerge: person ${mergedId} from ${survivorId} (${restored.length} records restored)`);
    await this.deps.store.transaction(ctx, async (tx) => {
      await tx.alongside(async (q) => {
        await sql.setPersonStatus(q, [mergedId], 'active');
        await sql.upsertLinks(q, restored.map((r) => ({ ...current.get(r)!, personId: mergedId, rule: 'unmerge', decidedBy: 'user' as const, decidedById: ctx.actor.id })));
        // The two must not be merged back automatically: every restored record is not a match for the survivor's.
        for (const a of restored) for (const b of current.keys()) if (!restored.includes(b)) await sql.addNotMatch(q, a, b, ctx.actor.id);
        await sql.appendDecisions(q, [{ decidedBy: 'user', decidedById: ctx.actor.id, action: 'unmerge', personId: mergedId, otherPersonId: survivorId, recordRefs: restored }]);
      });
      await rebuildPersons(tx, this.rules, [survivorId, mergedId]);
    });
    return { survivorId, restored };
  }

  /** Marks two source records as different people; if they share a person, the second one leaves it. */
  async markNotMatch(ctx: AccessContext, recordA: string, recordB: string): Promise<void> {
    await this.access.authorize(ctx, 'update', 'update', { reference: recordA, query: 'identity not-a-match' }, `not a match: ${recordA} ≠ ${recordB}`);
    await this.deps.db.transaction(async (tx) => {
      await sql.addNotMatch(tx, recordA, recordB, ctx.actor.id);
      await sql.appendDecisions(tx, [{ decidedBy: 'user', decidedById: ctx.actor.id, action: 'not-a-match', recordRefs: [recordA, recordB] }]);
      await sql.supersedeSettledReviews(tx);
    });
    const [la, lb] = await Promise.all([sql.linkOfRecord(this.deps.db, recordA), sql.linkOfRecord(this.deps.db, recordB)]);
    if (la && lb && la.personId === lb.personId) await this.unlinkRecord(ctx, recordB);
  }

  // ---------------------------------------------------------------- source changes

  /**
   * The online worker's pass over changed source records: the golden records of their persons
   * are rebuilt; a source Patient with no person yet is matched online (online-linker.ts) and
   * joins a person or gets its own; merges sources assert are honoured; then facts stored once
   * per source can become one (afterLinking). Returns the persons changed.
   */
  async refreshRecords(ctx: AccessContext, recordRefs: readonly string[]): Promise<string[]> {
    const persons = new Set<string>();
    const fresh: { ref: string; patient: Patient }[] = [];
    for (const ref of recordRefs) {
      const link = await sql.linkOfRecord(this.deps.db, ref);
      if (link) {
        persons.add(link.personId);
        continue;
      }
      const patient = await this.readSource(ctx, ref);
      if (patient && !isGoldenPatient(patient)) fresh.push({ ref, patient });
    }
    if (persons.size > 0) await this.deps.store.transaction(ctx, (tx) => rebuildPersons(tx, this.rules, [...persons]));
    // One at a time, each committed before the next is matched: two new records of one person
    // in the same batch (the hospital's and the lab's) find each other.
    const model = fresh.length > 0 ? await this.online.storedModel() : undefined;
    for (const f of fresh) persons.add(await this.online.place(ctx, f, model));
    for (const p of await this.online.honourSourceMerges(ctx, recordRefs)) persons.add(p);
    if (persons.size > 0) await this.deps.afterLinking?.(ctx, [...persons]);
    return [...persons];
  }

  // ---------------------------------------------------------------- helpers

  private async readSources(ctx: AccessContext, links: readonly sql.LinkRow[]): Promise<SurvivorSource[]> {
    const out: SurvivorSource[] = [];
    for (const l of links) {
      const patient = await this.readSource(ctx, l.recordRef);
      if (patient) out.push({ ref: l.recordRef, patient, source: l.source });
    }
    return out;
  }

  private async readSource(ctx: AccessContext, ref: string): Promise<Patient | null> {
    const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (!m) throw new LongitudeError('LNG_BAD_REQUEST', `${ref} is not a Patient reference`);
    try {
      return await this.deps.store.read<Patient>(ctx, 'Patient', m[1]!);
    } catch (err) {
      if (err instanceof LongitudeError && (err.code === 'LNG_NOT_FOUND' || err.code === 'LNG_GONE')) return null;
      throw err;
    }
  }

}

/**
 * The records in an order that depends on what they say, not on their ids: the u estimate
 * (em.ts estimateU) samples pairs by position, and resource ids are random UUIDs, so in id
 * order two loads of the same organization sampled different pairs and linked a person or two
 * differently (307 to 309 persons from one 300-person organization; 10,237 and 10,240 from
 * one of 10,000).
 */
function inContentOrder(records: SourceRecord[]): SourceRecord[] {
  const keyed = records.map((r) => ({ r, key: canonicalJson({ ...r, recordId: '' }) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.r.recordId < b.r.recordId ? -1 : 1));
  return keyed.map((k) => k.r);
}
