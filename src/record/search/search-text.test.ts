/**
 * `_text` and `_content` (http://hl7.org/fhir/R4/search.html#text): what text is indexed, how
 * values match, and that the GIN indexes answer them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Condition, DocumentReference, Patient } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { reindexRecord } from '../reindex.ts';
import { parseSearchRequest } from './search-request.ts';
import { pageStatement } from './search-sql.ts';
import { SearchService } from './search-service.ts';
import { extractSearchText, narrativeText } from './search-text.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-text' }, role: 'care-manager' });
const admin = createAccessContext({ actor: { type: 'user', id: 'admin-text' }, role: 'admin' });

function narrative(html: string): Patient['text'] {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${html}</div>` };
}

const patients: Patient[] = [
  { resourceType: 'Patient', id: 'tx-ana', text: narrative('<p>Ana Müller, <b>type 2</b> diabetes &amp; hypertension</p>'), name: [{ family: 'Müller', given: ['Ana'] }] },
  { resourceType: 'Patient', id: 'tx-bob', text: narrative('<p>Bob Jones: hepatitis A, no diabetes history</p>'), name: [{ family: 'Jones', given: ['Bob'] }] },
  { resourceType: 'Patient', id: 'tx-cy', name: [{ family: 'Diabetes', given: ['Cy'] }], telecom: [{ system: 'email', value: 'cy@example.org' }] },
];
const conditions: Condition[] = [
  {
    resourceType: 'Condition',
    id: 'tx-cond',
    subject: { reference: 'Patient/tx-ana' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }], text: 'Type 2 diabetes' },
    note: [{ text: 'Patient counselled on foot care' }],
  },
];

describe('text extraction for _text and _content', () => {
  test('the narrative loses its tags and entities', () => {
    assert.equal(narrativeText('<div><p>a&amp;b &lt;c&gt;</p><br/>d&#233;f&#x41;</div>'), 'a&b <c> défA');
  });

  test('_content covers every string but ids, references, URIs and base64 data; accents are folded', () => {
    const doc: DocumentReference = {
      resourceType: 'DocumentReference',
      id: 'doc-1',
      status: 'current',
      text: narrative('<p>Discharge letter</p>'),
      subject: { reference: 'Patient/p1', display: 'Zoë Hart' },
      content: [{ attachment: { contentType: 'text/plain', data: 'SGVsbG8gd29ybGQ=', url: 'http://files.example.org/x', title: 'Résumé' } }],
    };
    const { narrative: text, content } = extractSearchText(doc);
    assert.equal(text, 'Discharge letter');
    for (const word of ['Discharge letter', 'Zoe Hart', 'Resume', 'current', 'text/plain']) assert.ok(content.includes(word), word);
    for (const word of ['SGVsbG8', 'files.example.org', 'Patient/p1', 'doc-1', 'generated']) assert.ok(!content.includes(word), word);
  });
});

for (const backend of testDatabases()) {
  describe(`_text and _content on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of [...patients, ...conditions]) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    async function ids(type: string, query: string): Promise<string[]> {
      const result = await service.search(careManager, type, new URLSearchParams(query), { strict: true });
      return result.resources.map((r) => r.id!).sort();
    }

    test('_text searches the narrative only; words are AND-ed, whole and accent-insensitive', async () => {
      assert.deepEqual(await ids('Patient', '_text=diabetes'), ['tx-ana', 'tx-bob']);
      assert.deepEqual(await ids('Patient', '_text=diabetes hypertension'), ['tx-ana']);
      assert.deepEqual(await ids('Patient', '_text=MULLER'), ['tx-ana']);
      assert.deepEqual(await ids('Patient', '_text=diab'), [], 'whole words');
      assert.deepEqual(await ids('Patient', '_text=Cy'), [], 'the name is not in a narrative');
      // "hepatitis A": 'simple' keeps the A that an English configuration would drop.
      assert.deepEqual(await ids('Patient', '_text=hepatitis a'), ['tx-bob']);
      assert.deepEqual(await ids('Patient', '_text=hypertension a'), []);
    });

    test('phrases, exclusion, or, and comma alternatives', async () => {
      assert.deepEqual(await ids('Patient', '_text="type 2 diabetes"'), ['tx-ana']);
      assert.deepEqual(await ids('Patient', '_text="diabetes type 2"'), []);
      assert.deepEqual(await ids('Patient', '_text=diabetes -hepatitis'), ['tx-ana']);
      assert.deepEqual(await ids('Patient', '_text=hypertension or hepatitis'), ['tx-ana', 'tx-bob']);
      assert.deepEqual(await ids('Patient', '_text=hypertension,hepatitis'), ['tx-ana', 'tx-bob']);
      assert.deepEqual(await ids('Patient', '_text=!!!'), [], 'no words: nothing matches, nothing fails');
    });

    test('_content searches every string value, the narrative included', async () => {
      assert.deepEqual(await ids('Patient', '_content=diabetes'), ['tx-ana', 'tx-bob', 'tx-cy']);
      assert.deepEqual(await ids('Patient', '_content=cy'), ['tx-cy']);
      assert.deepEqual(await ids('Condition', '_content=mellitus'), ['tx-cond']);
      assert.deepEqual(await ids('Condition', '_content=foot care'), ['tx-cond']);
      assert.deepEqual(await ids('Condition', '_content=44054006'), ['tx-cond']);
      assert.deepEqual(await ids('Condition', '_content=snomed'), [], 'code systems are not content');
      // with other parameters, and across types
      assert.deepEqual(await ids('Condition', '_content=diabetes&subject=Patient/tx-ana'), ['tx-cond']);
      const system = await service.searchSystem(careManager, new URLSearchParams('_type=Patient,Condition&_content=mellitus,hypertension'), { strict: true });
      assert.deepEqual(system.resources.map((r) => r.id).sort(), ['tx-ana', 'tx-cond']);
    });

    test('an update replaces the text, a delete removes it', async () => {
      await parts.store.update(careManager, { ...patients[2]!, name: [{ family: 'Sugar', given: ['Cy'] }] });
      assert.deepEqual(await ids('Patient', '_content=diabetes'), ['tx-ana', 'tx-bob']);
      await parts.store.update(admin, { resourceType: 'Patient', id: 'tx-gone', name: [{ family: 'Vanish' }] });
      assert.deepEqual(await ids('Patient', '_content=vanish'), ['tx-gone']);
      await parts.store.delete(admin, 'Patient', 'tx-gone');
      assert.deepEqual(await ids('Patient', '_content=vanish'), []);
      const { rows } = await parts.db.query(`select 1 from search_text where id = 'tx-gone'`);
      assert.equal(rows.length, 0);
    });

    test('$reindex rebuilds the text rows of resources stored before them', async () => {
      await parts.db.query(`delete from search_text where id = 'tx-ana'`);
      assert.deepEqual(await ids('Patient', '_text=hypertension'), []);
      await reindexRecord({ db: parts.db, audit: parts.audit, indexer: parts.searchIndexer }, admin, { types: ['Patient'], id: 'tx-ana' });
      assert.deepEqual(await ids('Patient', '_text=hypertension'), ['tx-ana']);
    });

    test('modifiers are refused, naming the parameter', async () => {
      for (const name of ['_text:exact', '_content:missing']) {
        await assert.rejects(ids('Patient', `${name}=x`), (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_BAD_REQUEST' && err.issues[0]?.expression?.[0] === name);
      }
    });

    test('the GIN index answers a full-text search', async () => {
      // A few thousand rows, so the planner has statistics saying the word is rare: written in
      // SQL straight into both tables, in a database of its own.
      const db = await backend.open();
      try {
        await db.exec(`
          insert into resource (resource_type, id, version_id, last_updated, deleted, content)
            select 'Condition', 'c' || n, 1, now(), false, jsonb_build_object('resourceType', 'Condition', 'id', 'c' || n)
              from generate_series(1, 3000) n;
          insert into search_text (resource_type, id, text_vector, content_vector)
            select 'Condition', 'c' || n, to_tsvector('simple', ''), to_tsvector('simple', 'condition number ' || n || case when n % 1000 = 0 then ' mellitus' else '' end)
              from generate_series(1, 3000) n;
          analyze;`);
        const statement = pageStatement(parseSearchRequest('Condition', new URLSearchParams('_content=mellitus'), { strict: true }), {}, undefined);
        const plan = await db.transaction(async (tx) => {
          // Still a small table, where a sequential scan is cheapest: make it the last resort,
          // as search-explain.test.ts does, to see which index the search can use.
          await tx.query('set local enable_seqscan = off');
          const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`explain ${statement.text}`, statement.values);
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
        assert.match(plan, /Bitmap Index Scan on search_text_content_idx/, plan);
      } finally {
        await db.close();
      }
    });
  });
}
