/**
 * Who the people are: `identityPersons` (the hub's: a person is identity's person, with every
 * source Patient linked to it) or `patientPersons` (each stored Patient alone: a record with
 * no master person index, and the kinds' own tests). The signals code is the same for both.
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

/**
 * Persons as identity knows them: each active person with the source Patients linked to it,
 * and each source Patient not linked yet (before the first relink) as a person of its own.
 * Golden Patients are left out: they summarize the sources, and their findings would repeat
 * the sources' ones under a second id. The person id is the golden id, so a signal's person
 * opens at /identity/persons/{id}.
 */
export function identityPersons(db: Queryable): PersonDirectory {
  const people = `
    select p.id, array_agg(substr(l.record_ref, 9) order by l.record_ref) as patient_ids
      from identity_person p join identity_link l on l.person_id = p.id
     where p.status = 'active'
     group by p.id
    union all
    select r.id, array[r.id]
      from resource r
     where r.resource_type = 'Patient' and not r.deleted
       and not exists (select 1 from identity_link l where l.record_ref = 'Patient/' || r.id)
       and not exists (select 1 from identity_person p where p.id = r.id)`;
  return {
    async personOf(patientId) {
      const { rows } = await db.query<{ id: string; patient_ids: string[] }>(
        `select p.id, array_agg(substr(mate.record_ref, 9) order by mate.record_ref) as patient_ids
           from identity_person p
           join identity_link mate on mate.person_id = p.id
          where p.id = $1 or p.id = (select person_id from identity_link where record_ref = 'Patient/' || $1)
          group by p.id`,
        [patientId],
      );
      const row = rows[0];
      return row ? { id: row.id, patientIds: row.patient_ids } : { id: patientId, patientIds: [patientId] };
    },
    async listPersons(after, limit) {
      const { rows } = await db.query<{ id: string; patient_ids: string[] }>(
        `select id, patient_ids from (${people}) people where ($1::text is null or id > $1) order by id limit $2`,
        [after ?? null, limit],
      );
      return rows.map((r) => ({ id: r.id, patientIds: r.patient_ids }));
    },
    async count() {
      const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from (${people}) people`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
