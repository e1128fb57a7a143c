import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { SearchService } from './search-service.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-paging' }, role: 'care-manager' });

/** Birth dates with ties and gaps, so keyset paging has to use the id and handle nulls. */
const birthDates = ['1980-01-01', '1975-06-01', undefined, '1980-01-01', '1990', undefined, '1975-06-01', '2001-02-03', '1980-01-01', '1966'];

for (const backend of testDatabases()) {
  describe(`search paging on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
    });
    after(() => parts.close());

    async function addPatients(family: string, dates: (string | undefined)[]): Promise<string[]> {
      const ids: string[] = [];
      for (const birthDate of dates) {
        const patient: Patient = { resourceType: 'Patient', id: randomUUID(), name: [{ family }], ...(birthDate ? { birthDate } : {}) };
        await parts.store.update(careManager, patient);
        ids.push(patient.id!);
      }
      return ids;
    }

    /** Follows next links with _count=3, running `between` after each page; returns the pages. */
    async function walk(query: string, between: () => Promise<unknown>): Promise<string[][]> {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const params = new URLSearchParams(`${query}&_count=3`);
        if (cursor) params.set('_cursor', cursor);
        const result = await service.search(careManager, 'Patient', params);
        pages.push(result.resources.map((r) => r.id!));
        cursor = result.next;
        await between();
        assert.ok(pages.length < 50, 'paging does not end');
      } while (cursor);
      return pages;
    }

    for (const sort of ['', '_sort=-birthdate', '_sort=birthdate,-_lastUpdated', '_sort=family']) {
      test(`every match exactly once while rows are inserted between pages (${sort || 'default order'})`, async () => {
        const family = `Walk${randomUUID().slice(0, 8)}`;
        const original = await addPatients(family, birthDates);
        const pages = await walk(`family=${family}&${sort}`, () => addPatients(family, ['1980-01-01', undefined]));
        const seen = pages.flat();
        assert.equal(new Set(seen).size, seen.length, 'no resource is seen twice');
        for (const id of original) assert.ok(seen.includes(id), `${id} was skipped`);
        assert.ok(pages.every((p) => p.length <= 3));
      });
    }

    // The default order is read from the family index (search-sql.ts, a driven page); a sort from `resource`.
    for (const sort of ['_sort=-birthdate', '']) {
      test(`previous links lead back through the same pages (${sort || 'default order'})`, async () => {
        const family = `Back${randomUUID().slice(0, 8)}`;
        await addPatients(family, birthDates);
        const query = `family=${family}${sort ? `&${sort}` : ''}`;
        const forward = await walk(query, async () => undefined);
        assert.equal(forward.length, 4);
        // from the last page, walk back with previous links
        const params = new URLSearchParams(`${query}&_count=3`);
        let result = await service.search(careManager, 'Patient', params);
        while (result.next) result = await service.search(careManager, 'Patient', new URLSearchParams([...params, ['_cursor', result.next]]));
        const backward: string[][] = [result.resources.map((r) => r.id!)];
        while (result.previous) {
          result = await service.search(careManager, 'Patient', new URLSearchParams([...params, ['_cursor', result.previous]]));
          backward.unshift(result.resources.map((r) => r.id!));
        }
        assert.deepEqual(backward, forward);
      });
    }

    test('a cursor is refused under another sort', async () => {
      const family = `Cur${randomUUID().slice(0, 8)}`;
      await addPatients(family, birthDates);
      const first = await service.search(careManager, 'Patient', new URLSearchParams(`family=${family}&_count=2&_sort=birthdate`));
      await assert.rejects(
        service.search(careManager, 'Patient', new URLSearchParams([['family', family], ['_sort', 'family'], ['_cursor', first.next!]])),
        (err: { code?: string }) => err.code === 'LNG_BAD_REQUEST',
      );
    });
  });
}
