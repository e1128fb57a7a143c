/**
 * Who the people are. Today a person is one source Patient (`patientPersons`); identity's
 * golden record will provide a directory whose persons are the golden ids with their linked
 * source Patients, and the signals code will not change.
 */
import type { Queryable } from '../../platform/db/db.ts';

export interface PersonRef {
  id: string;
  patientIds: string[];
}

export interface PersonDirectory {
  /** The person a source Patient belongs to. */
  personOf(patientId: string): Promise<PersonRef>;
  /** Every person, in a stable order, a page at a time (after the last id seen). */
  listPersons(after: string | undefined, limit: number): Promise<PersonRef[]>;
  count(): Promise<number>;
}

/** One person per stored Patient, named by the Patient id. */
export function patientPersons(db: Queryable): PersonDirectory {
  return {
    personOf: async (patientId) => ({ id: patientId, patientIds: [patientId] }),
    async listPersons(after, limit) {
      const { rows } = await db.query<{ id: string }>(
        `select id from resource where resource_type = 'Patient' and not deleted and ($1::text is null or id > $1) order by id limit $2`,
        [after ?? null, limit],
      );
      return rows.map((r) => ({ id: r.id, patientIds: [r.id] }));
    },
    async count() {
      const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from resource where resource_type = 'Patient' and not deleted`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
