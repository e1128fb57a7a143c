/**
 * Identity online: what happens to one source Patient as it is stored, with the model the
 * last batch relink kept (model-store.ts). A new record is matched against the persons its
 * candidate searches find and joins one or gets its own (online-match.ts decides); merges
 * the sources assert are honoured (source-merges.ts); `Patient/$match` asks the same
 * question without writing. Every decision is authorized and audited (identity-access.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import type { Db } from '../platform/db/db.ts';
import type { ResourceStore } from '../record/resource-store.ts';
import type { SearchService } from '../record/search/index.ts';
import type { AccessContext } from '../trust/access-context.ts';
import { PERSON_COMPARISONS } from './compare/fields.ts';
import { readPatientsById } from './patients-by-id.ts';
import { probabilityToWeight, weightToProbability, type IdentityConfig } from './config.ts';
import type { FieldWeight, MatchModel } from './fellegi-sunter.ts';
import { patientToSourceRecord, sourceSystemOfPatient } from './from-fhir-patient.ts';
import { describeReasons, type IdentityAccess } from './identity-access.ts';
import { currentModelId, loadModel } from './model-store.ts';
import { normalizeRecord } from './normalize/record.ts';
import { candidateSearches, decideOnline, type OnlineDecision, type PairWeight, type PersonMember } from './online-match.ts';
import * as sql from './person-store.ts';
import { movePerson, rebuildPersons } from './person-writes.ts';
import { SourcePatientIndex, sourceMergePairs, sourceMergeSearches, type SourceMergePair } from './source-merges.ts';
import type { SurvivorshipRules } from './survivorship.ts';

export interface MatchCandidate {
  personId: string;
  /** The person's source record that matched best. */
  record: string;
  score: number;
  probability: number;
  grade: 'certain' | 'probable' | 'possible';
  reasons: FieldWeight[];
}

export interface OnlineLinkerDeps {
  db: Db;
  store: ResourceStore;
  search: SearchService;
  config: IdentityConfig;
  rules: SurvivorshipRules;
  access: IdentityAccess;
}

export class OnlineLinker {
  private modelCache: { id: number; model: MatchModel | undefined } | undefined;

  constructor(private readonly deps: OnlineLinkerDeps) {}

  /** The last relink's model; parsed once per relink, not per match (term frequencies are large). */
  async storedModel(): Promise<MatchModel | undefined> {
    const id = await currentModelId(this.deps.db);
    if (id === undefined) return undefined;
    if (this.modelCache?.id !== id) this.modelCache = { id, model: (await loadModel(this.deps.db, PERSON_COMPARISONS))?.model };
    return this.modelCache.model;
  }

  async match(ctx: AccessContext, patient: Patient, model: MatchModel): Promise<MatchCandidate[]> {
    const ref = `Patient/${patient.id ?? 'match-input'}`;
    const query = normalizeRecord(patientToSourceRecord({ ...patient, id: ref.slice('Patient/'.length) }), 0);
    const members = await this.candidates(ctx, { ref, patient });
    const linkWeight = probabilityToWeight(this.deps.config.linkProbability);
    const decision = decideOnline(model, query, members, { linkWeight, reviewWeight: probabilityToWeight(this.deps.config.reviewProbability) });
    const candidate = (personId: string, best: PairWeight, grade: MatchCandidate['grade']): MatchCandidate =>
      ({ personId, record: best.partner, score: best.weight, probability: weightToProbability(best.weight), grade, reasons: best.weights });
    const personOfRecord = new Map(members.map((m) => [m.record.recordId, m.personId]));
    return [
      ...(decision.kind === 'link' ? [candidate(decision.personId, decision.best, 'certain')] : []),
      ...decision.review.map((r) => candidate(personOfRecord.get(r.partner)!, r, r.weight >= linkWeight ? 'probable' : 'possible')),
    ];
  }

  /**
   * A source Patient with no person yet: matched online (online-match.ts) with the model of the
   * last relink when there is one, and linked to the person it matches, else given a person of
   * its own; possible matches open review items. Returns its person.
   */
  async place(ctx: AccessContext, f: { ref: string; patient: Patient }, model: MatchModel | undefined): Promise<string> {
    const linkWeight = probabilityToWeight(this.deps.config.linkProbability);
    const decision: OnlineDecision = model
      ? decideOnline(model, normalizeRecord(patientToSourceRecord(f.patient), 0), await this.candidates(ctx, f), { linkWeight, reviewWeight: probabilityToWeight(this.deps.config.reviewProbability) })
      : { kind: 'single', review: [] };
    const personId = decision.kind === 'link' ? decision.personId : randomUUID();
    const best = decision.kind === 'link' ? decision.best : undefined;
    if (best) {
      await this.deps.access.authorize(ctx, 'update', 'update', { reference: `Patient/${personId}`, query: 'identity online-link' },
        `online-link: ${f.ref} → person ${personId} score ${best.weight.toFixed(1)} (best ${best.partner}); ${describeReasons(best.weights)}`);
    }
    await this.deps.store.transaction(ctx, async (tx) => {
      await tx.alongside(async (q) => {
        if (!best) await sql.insertPersons(q, [personId]);
        await sql.upsertLinks(q, [{
          recordRef: f.ref, personId, source: sourceSystemOfPatient(f.patient), score: best?.weight ?? null, probability: best ? weightToProbability(best.weight) : null,
          rule: best ? 'online-link' : 'auto-single', reasons: best?.weights ?? [], decidedBy: 'auto', decidedById: ctx.actor.id,
        }]);
        if (best) await sql.appendDecisions(q, [{ decidedBy: 'auto', decidedById: ctx.actor.id, action: 'online-link', personId, recordRefs: [f.ref], score: best.weight, reasons: best.weights }]);
        await sql.openReviewItems(q, decision.review.map((r) => ({
          recordA: f.ref, recordB: r.partner, score: Math.min(r.weight, linkWeight), probability: weightToProbability(r.weight), weights: r.weights,
        })));
      });
      await rebuildPersons(tx, this.deps.rules, [personId]);
    });
    return personId;
  }

  /**
   * Every member of each active person a candidate search finds (not-a-match records left out).
   * The block searches run together: each is audited, and one after another each waited for
   * its own audit commit; together their entries share a group commit and their statements the
   * pool (7 searches at 20,000 simulated people, load 10: 49 → 29 ms; docs/benchmarks.md).
   */
  async candidates(ctx: AccessContext, f: { ref: string; patient: Patient }): Promise<PersonMember[]> {
    const [pages, refusedRefs] = await Promise.all([
      Promise.all(candidateSearches(f.patient, this.deps.config.maxBlockSize).map((query) => this.deps.search.search(ctx, 'Patient', query))),
      sql.notMatchesOf(this.deps.db, f.ref),
    ]);
    const found = new Set<string>();
    for (const page of pages) {
      if (page.resources.length > this.deps.config.maxBlockSize) continue;
      for (const r of page.resources) if (r.id && `Patient/${r.id}` !== f.ref) found.add(`Patient/${r.id}`);
    }
    const refused = new Set(refusedRefs);
    const personIds = new Set((await sql.personsOfRecords(this.deps.db, [...found].filter((r) => !refused.has(r)))).values());
    if (personIds.size === 0) return [];
    const links = (await sql.linksOfPersons(this.deps.db, [...personIds])).filter((l) => !refused.has(l.recordRef));
    const patients = await readPatientsById(this.deps.search, ctx, links.map((l) => l.recordRef.slice('Patient/'.length)));
    const byRef = new Map(patients.map((p) => [`Patient/${p.id}`, p as Patient]));
    return links.flatMap((l, k) => {
      const patient = byRef.get(l.recordRef);
      return patient ? [{ personId: l.personId, record: normalizeRecord(patientToSourceRecord(patient), k + 1) }] : [];
    });
  }

  /**
   * Online side of source merges (source-merges.ts): the claims these records carry, and the
   * claims other records make about them (a claim may arrive before the record it names).
   * Each pair's prior record joins the survivor record's person: alone, its link moves; with
   * other records, its person is merged into the survivor's. A "not a match" between the two
   * wins. Returns the persons changed.
   */
  async honourSourceMerges(ctx: AccessContext, recordRefs: readonly string[]): Promise<string[]> {
    const ids = recordRefs.map((r) => r.slice('Patient/'.length)).filter((id) => id.length > 0);
    if (ids.length === 0) return [];
    const own = await readPatientsById(this.deps.search, ctx, ids);
    const index = new SourcePatientIndex(own);
    for (const query of sourceMergeSearches(index.patients())) {
      for (const p of await this.deps.search.searchAll(ctx, 'Patient', [query])) index.add(p as Patient);
    }
    const mine = new Set(recordRefs);
    const pairs = sourceMergePairs(index).filter((p) => mine.has(p.survivor) || mine.has(p.prior));
    const changed: string[] = [];
    for (const pair of pairs) changed.push(...(await this.applySourceMerge(ctx, pair)));
    return changed;
  }

  private async applySourceMerge(ctx: AccessContext, pair: SourceMergePair): Promise<string[]> {
    const [survivor, prior] = await Promise.all([sql.linkOfRecord(this.deps.db, pair.survivor), sql.linkOfRecord(this.deps.db, pair.prior)]);
    if (!survivor || !prior || survivor.personId === prior.personId) return [];
    if (await sql.isNotMatch(this.deps.db, pair.survivor, pair.prior)) return [];
    const moved = await sql.linksOfPersons(this.deps.db, [prior.personId]);
    const reasons = [{ note: pair.note }];
    await this.deps.access.authorize(ctx, 'update', 'update', { reference: `Patient/${survivor.personId}`, query: 'identity source-merge' },
      `source-merge: ${pair.prior} → ${pair.survivor}, person ${prior.personId} into ${survivor.personId} (${moved.length} records); ${pair.note}`);
    await this.deps.store.transaction(ctx, (tx) =>
      movePerson(tx, ctx, this.deps.rules, { survivorId: survivor.personId, otherId: prior.personId, moved, decidedBy: 'auto', rule: 'source-merge', reasons }));
    return [survivor.personId, prior.personId];
  }
}
