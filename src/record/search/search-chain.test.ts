/**
 * Chained parameters, reverse chaining (`_has`) and `_list`
 * (http://hl7.org/fhir/R4/search.html#chaining, #has, #list) over the search fixtures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { searchFixtures } from '../../test-support/search-fixtures.ts';
import { createAccessContext, type AccessContext } from '../../trust/access-context.ts';
import { SearchService } from './search-service.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-chain' }, role: 'care-manager' });
const memberJones = createAccessContext({ actor: { type: 'user', id: 'member-jones' }, role: 'member', personId: 'p-jones' });
const serviceAgent = createAccessContext({ actor: { type: 'user', id: 'agent-chain' }, role: 'service-agent' });

for (const backend of testDatabases()) {
  describe(`chained search, _has and _list on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of searchFixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    /** The ids a query matches, sorted. */
    async function ids(type: string, query: string, ctx: AccessContext = careManager, strict = true): Promise<string[]> {
      const result = await service.search(ctx, type, new URLSearchParams(query), { strict });
      return result.resources.map((r) => r.id!).sort();
    }

    async function refused(type: string, query: string, expression: string, strict = true): Promise<LongitudeError> {
      try {
        await service.search(careManager, type, new URLSearchParams(query), { strict });
      } catch (err) {
        assert.ok(err instanceof LongitudeError, String(err));
        assert.equal(err.code, 'LNG_BAD_REQUEST', err.message);
        assert.deepEqual(err.issues[0]?.expression, [expression]);
        return err;
      }
      assert.fail(`${type}?${query} should be refused`);
    }

    test('a chain with a :Type follows the reference and tests the target', async () => {
      assert.deepEqual(await ids('Observation', 'subject:Patient.name=smi'), ['o1']);
      assert.deepEqual(await ids('Observation', 'subject:Patient.name=jones'), ['o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'subject:Patient.name=smi,jon'), ['o1', 'o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'subject:Patient.name:exact=Jones'), ['o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'subject:Patient.birthdate=lt1980'), ['o1']);
      assert.deepEqual(await ids('Observation', 'subject:Group.code=smi'), []);
      assert.deepEqual(await ids('Observation', 'subject:Patient._id=p-jones&code=4548-4'), ['o3']);
    });

    test('a chain through a single-target parameter, with a token test', async () => {
      assert.deepEqual(await ids('Observation', 'patient.identifier=urn:mrn|A1'), ['o1']);
      assert.deepEqual(await ids('Observation', 'patient.identifier=B2'), ['o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'patient.gender=other'), []);
      assert.deepEqual(await ids('Encounter', 'patient.gender=female'), ['enc-smith']);
    });

    test('multi-level chains', async () => {
      assert.deepEqual(await ids('Encounter', 'service-provider.partof.name=northwind'), ['enc-smith']);
      assert.deepEqual(await ids('Provenance', 'target:Observation.subject:Patient.name=smi'), ['prov-o1']);
      assert.deepEqual(await ids('Provenance', 'target:Encounter.service-provider.name=north'), ['prov-enc-jones']);
      assert.deepEqual(await ids('Provenance', 'target:Encounter.subject:Patient.name=smi'), []);
      assert.deepEqual(await ids('Location', 'organization.partof.identifier=urn:npi|N1'), ['loc-ward']);
    });

    test('without :Type a chain is resolved over every target type that has the parameter', async () => {
      // List.subject may be a Group, Device, Patient or Location; name exists on Patient and Location.
      assert.deepEqual(await ids('List', 'subject.name=smi'), ['list-places']);
      assert.deepEqual(await ids('List', 'subject.name=jon'), ['list-a1c']);
      assert.deepEqual(await ids('Encounter', 'subject.name=smi'), ['enc-smith']);
    });

    test('_has: resources some other resource points at, OR values, nesting', async () => {
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:code=4548-4'), ['p-jones', 'p-smith']);
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:code=2339-0'), ['p-jones']);
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:code=2339-0,8310-5'), ['p-jones']);
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:code=8867-4'), []);
      assert.deepEqual(await ids('Patient', '_has:Observation:subject:status=preliminary&_has:Observation:subject:code=2339-0'), ['p-jones']);
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:_has:Provenance:target:agent=Organization/org-east'), ['p-smith']);
      assert.deepEqual(await ids('Organization', '_has:Encounter:service-provider:_has:Provenance:target:agent=Organization/org-north'), ['org-north']);
      assert.deepEqual(await ids('Patient', '_has:Encounter:patient:service-provider.name=eastside'), ['p-smith']);
      assert.deepEqual(await ids('Observation', 'subject:Patient._has:Encounter:patient:class=IMP'), ['o2', 'o3']);
    });

    test('_list: the items of a List of the searched type; an unknown List matches nothing', async () => {
      assert.deepEqual(await ids('Observation', '_list=list-a1c'), ['o1', 'o3']);
      assert.deepEqual(await ids('Patient', '_list=list-a1c'), ['p-smith']);
      assert.deepEqual(await ids('Observation', '_list=nope'), []);
      assert.deepEqual(await ids('Observation', '_list=nope,list-a1c&code=4548-4'), ['o1', 'o3']);
      assert.deepEqual(await ids('Location', '_list=list-places'), ['loc-ward']);
      await refused('Condition', '_list=$current-problems', '_list');
    });

    test('chains, _has and _list in a system-level search', async () => {
      const system = async (query: string) =>
        (await service.searchSystem(careManager, new URLSearchParams(query), { strict: true })).resources.map((r) => `${r.resourceType}/${r.id}`).sort();
      assert.deepEqual(await system('_type=Patient,Observation&_list=list-a1c'), ['Observation/o1', 'Observation/o3', 'Patient/p-smith']);
      assert.deepEqual(await system('_type=Observation,Encounter&patient.name=smi'), ['Encounter/enc-smith', 'Observation/o1']);
    });

    test('unknown chained parameters: refused under strict handling, a warning under lenient', async () => {
      await refused('Observation', 'subject:Patient.foo=x', 'subject:Patient.foo');
      await refused('Observation', 'code.name=x', 'code.name');
      await refused('Observation', 'subject.foo=x', 'subject.foo');
      await refused('Observation', 'subject:Group.name=x', 'subject:Group.name'); // Group has no name parameter
      await refused('Patient', '_has:Observation:foo:code=1', '_has:Observation:foo:code');
      await refused('Patient', '_has:Observation:patient:foo=1', '_has:Observation:patient:foo');
      await refused('Patient', '_has:Spaceship:patient:code=1', '_has:Spaceship:patient:code');
      await refused('Patient', '_has:Observation:encounter:code=1', '_has:Observation:encounter:code');
      const lenient = await service.search(careManager, 'Observation', new URLSearchParams('subject:Patient.foo=x&code=2339-0'), { strict: false });
      assert.deepEqual(lenient.resources.map((r) => r.id), ['o2']);
      assert.deepEqual(lenient.warnings[0]?.expression, ['subject:Patient.foo']);
    });

    test('malformed and ambiguous chains are 400 whatever the handling, naming the parameter', async () => {
      await refused('Patient', '_has:Observation:patient=1', '_has:Observation:patient', false);
      await refused('Patient', '_has=1', '_has', false);
      await refused('Patient', '_has:observation:patient:code=1', '_has:observation:patient:code', false);
      await refused('Observation', 'subject:Spaceship.name=x', 'subject:Spaceship.name', false);
      await refused('Observation', 'subject:Patient.birthdate=yesterday', 'subject:Patient.birthdate', false);
      await refused('Observation', 'subject:Patient.name:below=x', 'subject:Patient.name:below', false);
      // Provenance.target reaches types whose `type` is a token and types whose `type` is a uri.
      const ambiguous = await refused('Provenance', 'target.type=x', 'target.type', false);
      assert.match(ambiguous.message, /ambiguous/);
    });

    test('a member reaches only their own compartment, through links too', async () => {
      assert.deepEqual(await ids('Observation', 'subject:Patient.name=smi', memberJones), []);
      assert.deepEqual(await ids('Observation', 'subject:Patient.name=jon', memberJones), ['o2', 'o3']);
      // prov-jones is p-jones' own, but its agent p-smith is outside her record: not searchable through.
      assert.deepEqual(await ids('Provenance', 'agent:Patient.name=smi'), ['prov-jones']);
      assert.deepEqual(await ids('Provenance', 'agent:Patient.name=smi', memberJones), []);
      assert.deepEqual(await ids('Patient', '_has:Observation:patient:code=4548-4', memberJones), ['p-jones']);
      // o1 is on p-jones' list but is p-smith's.
      assert.deepEqual(await ids('Observation', '_list=list-a1c', memberJones), ['o3']);
    });

    test('a chain or _has into data the caller may not search is forbidden', async () => {
      assert.deepEqual(await ids('Patient', 'organization.name=x', serviceAgent), []);
      await assert.rejects(service.search(serviceAgent, 'Patient', new URLSearchParams('_has:Observation:patient:code=4548-4')), (err: LongitudeError) =>
        err.code === 'LNG_FORBIDDEN');
      await assert.rejects(service.search(careManager, 'Patient', new URLSearchParams('_has:AuditEvent:entity:agent=x')), (err: LongitudeError) =>
        err.code === 'LNG_FORBIDDEN');
    });

    test('random chains, _has, _list and includes are answered or refused with a coded error, never a crash', async () => {
      const names = ['subject', 'subject:Patient', 'subject:Group', 'patient', 'code', 'name', 'encounter', '_id', '_has', '_has:Observation',
        '_has:Observation:patient', '_has:Observation:subject', '_has:Provenance:target', '_list', '_include', '_revinclude', '_include:iterate', ''];
      const tails = ['', '.name', '.name:exact', '.birthdate', '.identifier', '._id', '.organization.name', '.subject.name', ':code', ':name',
        ':_has:Provenance:target:agent', '.foo', ':missing', ':Patient'];
      const values = fc.oneof(
        fc.constantFrom('smi', 'true', 'ge1970', 'Patient/p-smith', 'urn:mrn|A1', '4548-4,2339-0', 'list-a1c', 'Observation:patient',
          'Provenance:target', '*', 'Observation:subject:Patient', '$current', '\\,', ''),
        fc.string({ maxLength: 10 }),
      );
      const query = fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...tails), values), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('Patient', 'Observation', 'Encounter'), query, fc.boolean(), async (type, params, strict) => {
          const search = new URLSearchParams(params.map(([n, t, v]): [string, string] => [`${n}${t}`, v]));
          try {
            await service.search(careManager, type, search, { strict });
          } catch (err) {
            assert.ok(err instanceof LongitudeError && err.status < 500, `${type}?${search} failed: ${String(err)}`);
          }
        }),
        { numRuns: 150 },
      );
    });
  });
}
