/**
 * Writes that change which records a person holds, inside the caller's unit of work: the
 * golden records rebuilt from the persons' current links, and one person moved into another
 * (a user's merge, or one a source asserted).
 */
import type { Patient } from '@medplum/fhirtypes';
import { LongitudeError } from '../platform/errors.ts';
import type { StoreTransaction } from '../record/resource-store.ts';
import type { AccessContext } from '../trust/access-context.ts';
import { writeGoldenRecords } from './golden-record.ts';
import * as sql from './person-store.ts';
import type { SurvivorSource, SurvivorshipRules } from './survivorship.ts';

/** Rebuilds the golden records of these persons inside the caller's unit of work. */
export async function rebuildPersons(tx: StoreTransaction, rules: SurvivorshipRules, personIds: readonly string[]): Promise<void> {
  const ids = [...new Set(personIds)];
  const work = [];
  for (const id of ids) {
    const person = await tx.alongside((q) => sql.getPerson(q, id));
    if (!person) continue;
    const links = await tx.alongside((q) => sql.linksOfPersons(q, [id]));
    const sources: SurvivorSource[] = [];
    for (const l of links) {
      const patient = await tx.read<Patient>('Patient', l.recordRef.slice('Patient/'.length)).catch((err: unknown) => {
        if (err instanceof LongitudeError && (err.code === 'LNG_NOT_FOUND' || err.code === 'LNG_GONE')) return undefined;
        throw err;
      });
      if (patient) sources.push({ ref: l.recordRef, patient, source: l.source });
    }
    work.push({ person: { id, status: person.status, replacedBy: person.replacedBy }, sources });
  }
  await writeGoldenRecords(tx, work, rules);
}

export interface PersonMove {
  survivorId: string;
  otherId: string;
  /** The links of `otherId` (all of them move). */
  moved: sql.LinkRow[];
  decidedBy: sql.DecidedBy;
  rule: 'merge' | 'source-merge';
  reasons?: { note: string }[];
}

/** Moves every record of `otherId` to `survivorId`, redirects `otherId` and rebuilds both golden records. */
export async function movePerson(tx: StoreTransaction, ctx: AccessContext, rules: SurvivorshipRules, m: PersonMove): Promise<void> {
  const { survivorId, otherId } = m;
  await tx.alongside(async (q) => {
    await sql.upsertLinks(q, m.moved.map((l) => ({ ...l, personId: survivorId, rule: m.rule, decidedBy: m.decidedBy, decidedById: ctx.actor.id, ...(m.reasons ? { reasons: m.reasons } : {}) })));
    await sql.setPersonStatus(q, [otherId], 'merged', survivorId);
    await sql.appendDecisions(q, [{
      decidedBy: m.decidedBy, decidedById: ctx.actor.id, action: m.rule, personId: survivorId, otherPersonId: otherId,
      recordRefs: m.moved.map((l) => l.recordRef), ...(m.reasons ? { reasons: m.reasons } : {}),
    }]);
    await sql.supersedeSettledReviews(q);
  });
  await rebuildPersons(tx, rules, [survivorId, otherId]);
}
