import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation, Patient, Provenance } from '@medplum/fhirtypes';
import { BundleBuilder, MAPPING_TAG_SYSTEM, stableUuid } from './bundle-builder.ts';
import { MAPPING_VERSION } from './context.ts';
import { contextFor, hl7, mapped, msh, only } from './test-fixtures.ts';

const message = hl7(msh('ORU^R01', 'CTRL-9', '20240301100000+0100'), 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane');
const patient: Patient = { resourceType: 'Patient' };
const obs = (code: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text: code } });

describe('the transaction Bundle', () => {
  test('upsert is a conditional PUT, ensure a POST with ifNoneExist; the key identifier is carried by the resource', () => {
    const builder = new BundleBuilder(contextFor(message));
    builder.add(patient, { system: 'urn:s', value: '1' }, 'ensure');
    builder.add(obs('a'), { system: 'urn:o', value: 'x' }, 'upsert');
    const [p, o] = builder.build().entry!;
    assert.deepEqual(p!.request, { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn%3As%7C1' });
    assert.deepEqual(o!.request, { method: 'PUT', url: 'Observation?identifier=urn%3Ao%7Cx' });
    assert.deepEqual((o!.resource as Observation).identifier, [{ system: 'urn:o', value: 'x' }]);
  });

  test('never two entries with the same criteria: the same thing ensured twice is one entry, colliding upserts get ~n', () => {
    const builder = new BundleBuilder(contextFor(message));
    const first = builder.add(patient, { system: 'urn:s', value: '1' }, 'ensure');
    assert.deepEqual(builder.add(patient, { system: 'urn:s', value: '1' }, 'ensure'), first);
    builder.add(obs('a'), { system: 'urn:o', value: 'x' });
    builder.add(obs('b'), { system: 'urn:o', value: 'x' });
    const same = builder.add(obs('c'), { system: 'urn:sp', value: 's' }, 'upsert', 'same');
    assert.deepEqual(builder.add(obs('c2'), { system: 'urn:sp', value: 's' }, 'upsert', 'same'), same);
    const urls = builder.build().entry!.map((e) => e.request!.url);
    assert.equal(new Set(urls).size, urls.length);
    assert.ok(urls.includes('Observation?identifier=urn%3Ao%7Cx~2'));
  });

  test('every resource says where it came from (meta.source) and which mapping wrote it (meta.tag)', () => {
    const bundle = mapped(message);
    for (const entry of bundle.entry!) {
      assert.equal(entry.resource!.meta?.source, 'urn:longitude:channel/lab#42');
      assert.deepEqual(entry.resource!.meta?.tag, [{ system: MAPPING_TAG_SYSTEM, code: MAPPING_VERSION }]);
    }
  });

  test('one Provenance: every resource written is a target; the sender is the agent; the message is the entity', () => {
    const bundle = mapped(hl7(msh('ORU^R01', 'CTRL-9', '20240301100000+0100'), 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane', 'OBR|1||F1|X^x^L', 'OBX|1|ST|Y^y^L||v||||||F'));
    const provenance = only<Provenance>(bundle, 'Provenance');
    const others = bundle.entry!.filter((e) => e.resource?.resourceType !== 'Provenance').map((e) => e.fullUrl);
    assert.deepEqual(provenance.target.map((t) => t.reference), others);
    assert.equal(provenance.recorded, '2024-03-01T10:00:00.000Z');
    assert.equal(provenance.occurredDateTime, '2024-03-01T10:00:00+01:00');
    assert.deepEqual(provenance.agent[0]!.who.identifier, { system: 'urn:longitude:hl7:sending-application', value: 'LAB' });
    assert.deepEqual(provenance.agent[0]!.onBehalfOf?.identifier, { system: 'urn:longitude:hl7:sending-facility', value: 'HOSP' });
    assert.deepEqual(
      provenance.entity?.map((e) => e.what.identifier),
      [
        { system: 'urn:longitude:message-store', value: '42' },
        { system: 'urn:longitude:hl7:lab.hosp:msh-10', value: 'CTRL-9' },
      ],
    );
    assert.equal(provenance.activity?.coding?.[0]?.code, 'R01');
    const entry = bundle.entry!.find((e) => e.resource === provenance)!;
    assert.deepEqual(entry.request, { method: 'PUT', url: 'Provenance?entity:identifier=urn%3Alongitude%3Amessage-store%7C42' });
  });

  test('the same message maps to the same Bundle, fullUrls included', () => {
    assert.deepEqual(mapped(message), mapped(message));
    assert.match(stableUuid('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
