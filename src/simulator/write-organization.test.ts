import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hl7Message } from '@medplum/core';
import { parse } from 'csv-parse/sync';
import { assertValidResource } from '../fhir/index.ts';
import { writeOrganization } from './write-organization.ts';

const root = mkdtempSync(join(tmpdir(), 'longitude-sim-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true }) as Record<string, string>[];
}

function hl7Messages(dir: string): { file: string; text: string }[] {
  return listFiles(dir).sort().flatMap((file) => readFileSync(file, 'utf8').trimEnd().split('\n\n').map((text) => ({ file, text })));
}

describe('determinism', () => {
  test('the same seed writes identical bytes; another seed does not', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(root, `det-${n}`)) as [string, string, string];
    await writeOrganization({ outDir: a, people: 300, seed: 11 });
    await writeOrganization({ outDir: b, people: 300, seed: 11 });
    await writeOrganization({ outDir: c, people: 300, seed: 12 });
    const filesA = listFiles(a).map((f) => relative(a, f)).sort();
    assert.deepEqual(listFiles(b).map((f) => relative(b, f)).sort(), filesA);
    assert.ok(filesA.length > 100);
    for (const f of filesA) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between two runs`);
    assert.notDeepEqual(readFileSync(join(c, 'truth/people.csv')), readFileSync(join(a, 'truth/people.csv')));
  });

  test('an existing non-empty directory is refused', async () => {
    await assert.rejects(writeOrganization({ outDir: join(root, 'det-a'), people: 10, seed: 1 }), /not empty/);
  });
});

describe('a simulated organization', () => {
  const dir = join(root, 'org');
  before(async () => {
    await writeOrganization({ outDir: dir, people: 150, seed: 3, startDate: '2025-01-01' });
  });

  test('ehr-clinic bundles are FHIR R4 transactions of valid resources', () => {
    const files = listFiles(join(dir, 'ehr-clinic'));
    assert.ok(files.length > 30);
    for (const file of files) {
      const bundle = JSON.parse(readFileSync(file, 'utf8')) as { resourceType: string; type: string; entry: { resource: { resourceType: string; id: string }; request: { method: string; url: string } }[] };
      assert.equal(bundle.resourceType, 'Bundle');
      assert.equal(bundle.type, 'transaction');
      assert.equal(bundle.entry[0]!.resource.resourceType, 'Patient');
      assertValidResource(bundle, 'Bundle');
      for (const e of bundle.entry) {
        assertValidResource(e.resource);
        assert.equal(e.request.method, 'PUT');
        assert.equal(e.request.url, `${e.resource.resourceType}/${e.resource.id}`);
      }
    }
  });

  test('payer and crm files are well-formed CSV with the documented headers', () => {
    const enrollment = readCsv(join(dir, 'payer/enrollment.csv'));
    const claims = readCsv(join(dir, 'payer/claims.csv'));
    const contacts = readCsv(join(dir, 'crm/contacts.csv'));
    assert.ok(enrollment.length > 30 && claims.length > 100 && contacts.length > 10);
    assert.deepEqual(Object.keys(enrollment[0]!).slice(0, 3), ['member_id', 'subscriber_id', 'relationship']);
    const members = new Set(enrollment.map((r) => r.member_id));
    assert.equal(members.size, enrollment.length, 'one row per member');
    for (const c of claims) {
      assert.ok(members.has(c.member_id!), `claim ${c.claim_id} for an unknown member`);
      assert.match(c.service_from!, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(c.rendering_npi!, /^\d{10}$/);
      if (c.claim_type !== 'pharmacy' && c.claim_type !== 'institutional') assert.match(c.procedure_codes!, /^[0-9A-Z]{5}(\|[0-9A-Z]{5})*$/);
    }
    assert.equal(new Set(claims.map((c) => c.claim_id)).size, claims.length, 'claim ids are unique');
    assert.deepEqual(Object.keys(contacts[0]!), ['contact_id', 'first_name', 'last_name', 'mobile_phone', 'home_phone', 'email', 'preferred_language', 'preferred_channel', 'do_not_contact', 'last_contact_reason', 'last_contact_date', 'date_updated']);
  });

  test('hl7 files parse, in time order, with the expected segments', () => {
    const seen = new Set<string>();
    for (const silo of ['hospital', 'labs']) {
      const messages = hl7Messages(join(dir, silo));
      assert.ok(messages.length > 20, `${silo} has messages`);
      let previous = '';
      for (const { file, text } of messages) {
        const msg = Hl7Message.parse(text);
        assert.equal(msg.segments[0]!.name, 'MSH');
        const [type, event] = msg.header.getField(9).toString().split('^');
        const timestamp = msg.header.getField(7).toString();
        const controlId = msg.header.getField(10).toString();
        assert.ok(!seen.has(controlId), `duplicate control id ${controlId}`);
        seen.add(controlId);
        assert.ok(file.endsWith(`${timestamp.slice(0, 4)}-${timestamp.slice(4, 6)}-${timestamp.slice(6, 8)}.hl7`), 'file is named by the MSH-7 day');
        assert.ok(timestamp >= previous, 'messages are in time order');
        previous = timestamp;
        assert.ok(msg.getSegment('PID'), `${type}^${event} has a PID`);
        for (const s of msg.segments) assert.match(s.name, /^[A-Z][A-Z0-9]{2}$/);
        if (type === 'ORU') {
          assert.equal(event, 'R01');
          assert.ok(msg.getSegment('OBR') && msg.getAllSegments('OBX').length > 0);
          if (silo === 'labs') for (const obx of msg.getAllSegments('OBX')) assert.equal(obx.getComponent(3, 3), 'LN');
        } else if (type === 'ADT') {
          assert.ok(['A01', 'A03', 'A04', 'A08', 'A31', 'A40'].includes(event!), event);
          if (event === 'A40') assert.ok(msg.getSegment('MRG'));
          else assert.ok(msg.getSegment('PV1'));
        } else {
          assert.equal(`${type}^${event}`, 'SIU^S12');
          assert.ok(msg.getSegment('SCH'));
        }
      }
    }
  });

  test('a result of an order drawn in a stay names that stay\'s visit (PV1-19), so it is not another encounter', () => {
    const visits = new Map<string, string>();
    const stayResults: { mrn: string; visit: string; controlId: string }[] = [];
    for (const { text } of hl7Messages(join(dir, 'hospital'))) {
      const msg = Hl7Message.parse(text);
      const type = msg.header.getField(9).toString();
      const pv1 = msg.getSegment('PV1');
      const mrn = msg.getSegment('PID')!.getField(3).getComponent(1);
      const cls = pv1?.getField(2).toString() ?? '';
      const visit = pv1?.getField(19).toString() ?? '';
      if (/^ADT\^A0[14]/.test(type) && (cls === 'I' || cls === 'E')) visits.set(`${mrn}|${visit}`, cls);
      if (type.startsWith('ORU') && (cls === 'I' || cls === 'E')) stayResults.push({ mrn, visit, controlId: msg.header.getField(10).toString() });
    }
    assert.ok(stayResults.length > 0, 'some results come from stays');
    for (const r of stayResults) assert.ok(visits.has(`${r.mrn}|${r.visit}`), `${r.controlId} names visit ${r.visit}, which no admission opened`);
  });

  test('a stay\'s orders are collected during the stay (OBR-7 between admission and discharge)', () => {
    const discharges = new Map<string, string>();
    const collections: { key: string; admit: string; collected: string; controlId: string }[] = [];
    for (const { text } of hl7Messages(join(dir, 'hospital'))) {
      const msg = Hl7Message.parse(text);
      const type = msg.header.getField(9).toString();
      const pv1 = msg.getSegment('PV1');
      const cls = pv1?.getField(2).toString() ?? '';
      if (cls !== 'I' && cls !== 'E') continue;
      const key = `${msg.getSegment('PID')!.getField(3).getComponent(1)}|${pv1!.getField(19).toString()}`;
      if (type.startsWith('ADT^A03')) discharges.set(key, pv1!.getField(45).toString());
      if (type.startsWith('ORU')) collections.push({ key, admit: pv1!.getField(44).toString(), collected: msg.getSegment('OBR')!.getField(7).toString(), controlId: msg.header.getField(10).toString() });
    }
    assert.ok(collections.length > 0);
    for (const c of collections) {
      assert.ok(c.collected >= c.admit, `${c.controlId} collected ${c.collected}, before admission ${c.admit}`);
      const discharged = discharges.get(c.key);
      if (discharged) assert.ok(c.collected <= discharged, `${c.controlId} collected ${c.collected}, after discharge ${discharged}`);
    }
  });

  test('a drug is prescribed once, even for two conditions it treats (albuterol for asthma and COPD)', () => {
    for (const file of listFiles(join(dir, 'ehr-clinic'))) {
      const bundle = JSON.parse(readFileSync(file, 'utf8')) as { entry: { resource: { resourceType: string; status?: string; medicationCodeableConcept?: { coding?: { code?: string }[] } } }[] };
      const codes = bundle.entry.filter((e) => e.resource.resourceType === 'MedicationRequest' && e.resource.status === 'active').map((e) => e.resource.medicationCodeableConcept?.coding?.[0]?.code);
      assert.equal(new Set(codes).size, codes.length, `${file} lists a drug twice`);
    }
  });

  test('truth is consistent: every record has a person, every signal cites records that exist', () => {
    const identity = readCsv(join(dir, 'truth/identity.csv'));
    const people = new Set(readCsv(join(dir, 'truth/people.csv')).map((p) => p.person_id));
    assert.equal(people.size, 150);
    const key = (silo: string, id: string) => `${silo}|${id}`;
    const records = new Map(identity.map((r) => [key(r.silo!, r.record_id!), r.person_id!]));
    for (const r of identity) assert.ok(people.has(r.person_id!), `${r.silo} ${r.record_id} has an unknown person`);

    // Every record id the silo files carry is in identity.csv.
    const inFiles = new Set<string>();
    for (const f of listFiles(join(dir, 'ehr-clinic'))) inFiles.add(key('ehr-clinic', (JSON.parse(readFileSync(f, 'utf8')) as { entry: { resource: { id: string } }[] }).entry[0]!.resource.id));
    for (const r of readCsv(join(dir, 'payer/enrollment.csv'))) inFiles.add(key('payer', r.member_id!));
    for (const r of readCsv(join(dir, 'crm/contacts.csv'))) inFiles.add(key('crm', r.contact_id!));
    const messageIds = new Map<string, string>();
    for (const silo of ['hospital', 'labs']) {
      for (const { text } of hl7Messages(join(dir, silo))) {
        const msg = Hl7Message.parse(text);
        const id = msg.getSegment('PID')!.getField(3).getComponent(1);
        inFiles.add(key(silo, id));
        messageIds.set(key(silo, msg.header.getField(10).toString()), id);
      }
    }
    assert.deepEqual([...inFiles].sort(), [...records.keys()].sort());

    const resources = new Set<string>();
    for (const f of listFiles(join(dir, 'ehr-clinic'))) {
      for (const e of (JSON.parse(readFileSync(f, 'utf8')) as { entry: { resource: { resourceType: string; id: string } }[] }).entry) resources.add(`${e.resource.resourceType}/${e.resource.id}`);
    }
    const claims = new Set(readCsv(join(dir, 'payer/claims.csv')).map((c) => c.claim_id));
    const doc = JSON.parse(readFileSync(join(dir, 'truth/signals.json'), 'utf8')) as { signals: { kind: string; personId: string; reasons: string[]; evidence: { silo: string; recordId: string; type: string; id: string }[] }[] };
    assert.ok(doc.signals.length > 10);
    const kinds = new Set(doc.signals.map((s) => s.kind));
    for (const k of ['care-gap', 'discharge-no-follow-up']) assert.ok(kinds.has(k), `some ${k} signal`);
    for (const s of doc.signals) {
      assert.ok(people.has(s.personId));
      assert.ok(s.reasons.length > 0 && s.evidence.length > 0);
      for (const e of s.evidence) {
        assert.equal(records.get(key(e.silo, e.recordId)), s.personId, `${s.kind} evidence ${e.silo} ${e.recordId} belongs to ${s.personId}`);
        if (e.type === 'resource') assert.ok(resources.has(e.id), `resource ${e.id} exists`);
        if (e.type === 'message') assert.equal(messageIds.get(key(e.silo, e.id)), e.recordId, `message ${e.id} exists and is about ${e.recordId}`);
        if (e.type === 'claim') assert.ok(claims.has(e.id), `claim ${e.id} exists`);
      }
    }
  });

  test('the organization README describes the silos', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const word of ['ehr-clinic/', 'hospital/', 'payer/', 'crm/', 'labs/', 'identity.csv', 'signals.json']) assert.ok(readme.includes(word), word);
  });
});
