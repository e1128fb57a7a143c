/**
 * `_include` and `_revinclude`, with `:iterate` (http://hl7.org/fhir/R4/search.html#include),
 * over the search fixtures: what is included, for which page, and for whom.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { searchFixtures } from '../../test-support/search-fixtures.ts';
import { createAccessContext, type AccessContext } from '../../trust/access-context.ts';
import { findIncludedResources } from './includes.ts';
import { SearchService, type SearchResult } from './search-service.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-include' }, role: 'care-manager' });
const memberJones = createAccessContext({ actor: { type: 'user', id: 'member-jones' }, role: 'member', personId: 'p-jones' });
const serviceAgent = createAccessContext({ actor: { type: 'user', id: 'agent-include' }, role: 'service-agent' });

const keys = (resources: SearchResult['resources']) => resources.map((r) => `${r.resourceType}/${r.id}`);

for (const backend of testDatabases()) {
  describe(`_include and _revinclude on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of searchFixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    function search(type: string, query: string, ctx: AccessContext = careManager, strict = true): Promise<SearchResult> {
      return service.search(ctx, type, new URLSearchParams(query), { strict });
    }

    /** The included resources, as Type/id in the order returned. */
    async function included(type: string, query: string, ctx: AccessContext = careManager): Promise<string[]> {
      return keys((await search(type, query, ctx)).included);
    }

    test('_include follows a reference parameter, optionally to one target type', async () => {
      const result = await search('Observation', 'code=4548-4&_include=Observation:patient');
      assert.deepEqual(keys(result.resources).sort(), ['Observation/o1', 'Observation/o3']);
      assert.deepEqual(keys(result.included), ['Patient/p-jones', 'Patient/p-smith']);
      assert.deepEqual(await included('Observation', 'code=4548-4&_include=Observation:subject:Patient'), ['Patient/p-jones', 'Patient/p-smith']);
      assert.deepEqual(await included('Observation', 'code=4548-4&_include=Observation:subject:Group'), []);
      assert.deepEqual(await included('Encounter', '_id=enc-smith&_include=*'), ['Organization/org-east', 'Patient/p-smith']);
      assert.deepEqual(await included('Encounter', '_id=enc-smith&_include=Encounter:*'), ['Organization/org-east', 'Patient/p-smith']);
    });

    test('_revinclude adds the resources that refer to the matches', async () => {
      assert.deepEqual(await included('Observation', '_id=o1&_revinclude=Provenance:target'), ['Provenance/prov-o1']);
      assert.deepEqual(await included('Observation', '_id=o1&_revinclude=Provenance:target:Encounter'), []);
      assert.deepEqual(await included('Patient', '_id=p-smith,p-jones&_revinclude=Encounter:subject&_revinclude=List:item'), [
        'Encounter/enc-jones',
        'Encounter/enc-smith',
        'List/list-a1c',
      ]);
      // `*`: whatever refers to a match, through any reference parameter of any type.
      const everything = await included('Patient', '_id=p-smith&_revinclude=*');
      assert.ok(everything.includes('Encounter/enc-smith') && everything.includes('List/list-a1c'), everything.join());
      assert.ok(!everything.includes('Encounter/enc-jones'));
      assert.deepEqual(await included('Observation', '_id=o1&_revinclude=*'), ['List/list-a1c', 'Provenance/prov-o1']);
    });

    test('each resource once: a match is not repeated as an include, and includes are not duplicated', async () => {
      assert.deepEqual(await included('Observation', 'patient=p-jones&_include=Observation:patient&_include=Observation:subject'), ['Patient/p-jones']);
      assert.deepEqual(await included('Patient', '_id=p-smith,p-jones&_revinclude=Encounter:subject&_include:iterate=Encounter:subject'), [
        'Encounter/enc-jones',
        'Encounter/enc-smith',
      ]);
    });

    test('includes are for the current page only and are not counted in total', async () => {
      const first = await search('Observation', 'code=4548-4&_sort=_id&_count=1&_total=accurate&_include=Observation:patient');
      assert.equal(first.total, 2);
      assert.deepEqual(keys(first.resources), ['Observation/o1']);
      assert.deepEqual(keys(first.included), ['Patient/p-smith']);
      const second = await search('Observation', `code=4548-4&_sort=_id&_count=1&_total=accurate&_include=Observation:patient&_cursor=${first.next}`);
      assert.deepEqual(keys(second.resources), ['Observation/o3']);
      assert.deepEqual(keys(second.included), ['Patient/p-jones']);
      assert.deepEqual((await search('Observation', 'code=4548-4&_summary=count&_include=Observation:patient')).included, []);
    });

    test(':iterate (and :recurse) follows includes from included resources; without it only from matches', async () => {
      assert.deepEqual(await included('Provenance', '_id=prov-o1&_include=Provenance:target&_include=Observation:patient'), ['Observation/o1']);
      assert.deepEqual(await included('Provenance', '_id=prov-o1&_include=Provenance:target&_include:iterate=Observation:patient'), [
        'Observation/o1',
        'Patient/p-smith',
      ]);
      assert.deepEqual(await included('Provenance', '_id=prov-o1&_include=Provenance:target&_include:recurse=Observation:patient'), [
        'Observation/o1',
        'Patient/p-smith',
      ]);
      // level by level: org-east refers to org-north, then loc-ward to org-east
      assert.deepEqual(await included('Organization', '_id=org-north&_revinclude:iterate=Organization:partof&_revinclude:iterate=Location:organization'), [
        'Organization/org-east',
        'Location/loc-ward',
      ]);
    });

    test(':iterate stops three references away from a match and never loops on a cycle', async () => {
      // org-ring-1 -> 2 -> ... -> 6 -> 1
      assert.deepEqual(await included('Organization', '_id=org-ring-1&_include:iterate=Organization:partof'), [
        'Organization/org-ring-2',
        'Organization/org-ring-3',
        'Organization/org-ring-4',
      ]);
      assert.deepEqual(await included('Organization', '_id=org-ring-1,org-ring-4&_include:iterate=Organization:partof'), [
        'Organization/org-ring-2',
        'Organization/org-ring-5',
        'Organization/org-ring-3',
        'Organization/org-ring-6',
      ]);
    });

    test('an included resource the caller may not read is left out and not followed', async () => {
      // A service agent handles administrative data: Encounters are clinical.
      assert.deepEqual(await included('Patient', '_id=p-smith&_revinclude=Encounter:subject', serviceAgent), []);
      assert.deepEqual(await included('Organization', '_id=org-east&_revinclude=Encounter:service-provider&_revinclude=Location:organization', serviceAgent), [
        'Location/loc-ward',
      ]);
      assert.deepEqual(await included('Organization', '_id=org-east&_revinclude=Encounter:service-provider&_include:iterate=Encounter:subject', serviceAgent), []);
    });

    test('a member never receives another person\'s resource through _include or _revinclude', async () => {
      // prov-jones is in p-jones' record; its agent is p-smith.
      const provenance = await search('Provenance', '_include=Provenance:agent', memberJones);
      assert.deepEqual(keys(provenance.resources), ['Provenance/prov-jones']);
      assert.deepEqual(keys(provenance.included), []);
      // p-jones' list holds p-smith and her o1 beside p-jones' o3.
      assert.deepEqual(await included('List', '_include=List:item', memberJones), ['Observation/o3']);
      assert.deepEqual(await included('Patient', '_revinclude=Provenance:target&_include:iterate=Provenance:agent', memberJones), ['Provenance/prov-jones']);
      assert.deepEqual(await included('Observation', '_revinclude=List:item&_include:iterate=List:item', memberJones), ['List/list-a1c']);
      assert.deepEqual(await included('Encounter', '_include=Encounter:subject&_include=Encounter:service-provider', memberJones), ['Patient/p-jones']);
      // the same searches as a care manager do reach them
      assert.deepEqual(await included('List', '_id=list-a1c&_include=List:item'), ['Observation/o1', 'Observation/o3', 'Patient/p-smith']);
    });

    test('past the cap on included resources the rest are left out, with a warning', async () => {
      const matches = (await search('Organization', '_id=org-ring-1')).resources;
      const directives = { includes: [{ name: '_include:iterate', sourceType: 'Organization', code: 'partof', iterate: true }], revincludes: [] };
      const cut = await findIncludedResources(parts.db, careManager, directives, matches, 2);
      assert.deepEqual(keys(cut.resources), ['Organization/org-ring-2', 'Organization/org-ring-3']);
      assert.equal(cut.warnings[0]?.code, 'too-costly');
      assert.deepEqual(cut.warnings[0]?.expression, ['_include:iterate']);
      const whole = await findIncludedResources(parts.db, careManager, directives, matches, 3);
      assert.equal(whole.resources.length, 3);
      assert.deepEqual(whole.warnings, []);
    });

    test('unknown include targets: refused under strict handling, a warning under lenient; malformed ones always 400', async () => {
      const refused = async (query: string, expression: string, strict: boolean) => {
        await assert.rejects(search('Observation', query, careManager, strict), (err: LongitudeError) => {
          assert.equal(err.code, 'LNG_BAD_REQUEST');
          assert.deepEqual(err.issues[0]?.expression, [expression]);
          return true;
        });
      };
      await refused('_include=Observation:foo', '_include', true);
      await refused('_include=Observation:code', '_include', true);
      await refused('_include=Spaceship:patient', '_include', true);
      await refused('_revinclude=Provenance:target:Spaceship', '_revinclude', true);
      const lenient = await search('Observation', '_id=o1&_include=Observation:foo&_include=Observation:patient', careManager, false);
      assert.deepEqual(keys(lenient.included), ['Patient/p-smith']);
      assert.deepEqual(lenient.warnings[0]?.expression, ['_include']);
      await refused('_include=observation', '_include', false);
      await refused('_include=Observation:patient:Patient:x', '_include', false);
      await refused('_include:deep=Observation:patient', '_include:deep', false);
    });
  });
}
