/**
 * The C-CDA corpus (../shared/data/ccda/, see its SOURCE.md) through mapCcdaToBundle: every
 * document maps, every resource it produces passes our R4 validator, what is not mapped is
 * listed with its location, ids are stable across imports, and malformed or mangled input
 * fails only with a LNG_CCDA_* error. Section and entry fragments are wrapped in a minimal
 * document so the section mappers meet the HL7 examples too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertValidResource } from '../../fhir/validate.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { mapCcdaToBundle } from './map-ccda.ts';

const DATA = new URL('../../../../shared/data/ccda/', import.meta.url).pathname;
const receivedAt = new Date('2024-01-01T00:00:00Z');

function corpus(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'expected') walk(path);
      } else if (!name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(DATA)) walk(DATA);
  return files;
}

/** A fragment whose root is a section or a component holding one, inside a minimal US Realm Header. */
function wrapFragment(xml: string): string | undefined {
  const body = xml.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, '').trim();
  const root = /^(?:<!--[\s\S]*?-->\s*)*<([A-Za-z:]+)/.exec(body)?.[1]?.replace(/^.*:/, '');
  const inner = root === 'section' ? `<component>${body}</component>` : root === 'component' ? body : undefined;
  if (!inner) return undefined;
  return `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">
<id root="2.16.840.1.113883.19.5" extension="fragment-test"/><code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240101"/>
<author><time value="20240101"/><assignedAuthor><id root="2.16.840.1.113883.19.5" extension="a1"/></assignedAuthor></author>
<recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="p1"/><patient><name><given>Test</given><family>Fragment</family></name></patient></patientRole></recordTarget>
<component><structuredBody>${inner}</structuredBody></component></ClinicalDocument>`;
}

function validateAll(file: string, resources: unknown[]): void {
  for (const resource of resources) {
    try {
      assertValidResource(resource);
    } catch (err) {
      const issues = err instanceof LongitudeError ? err.issues.map((i) => `${i.expression?.[0]}: ${i.diagnostics}`).join('; ') : String(err);
      assert.fail(`${file}: ${(resource as { resourceType: string }).resourceType} is not valid R4: ${issues}`);
    }
  }
}

describe('mapping the C-CDA corpus', () => {
  const files = corpus();

  test('every document maps to valid R4; fragments and malformed files fail with a LNG_CCDA_* code', (t) => {
    if (files.length === 0) return t.skip(`no corpus under ${DATA}`);
    const outcomes: Record<string, number> = {};
    let resources = 0;
    let unmapped = 0;
    let fragments = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      try {
        const mapping = mapCcdaToBundle(bytes, { receivedAt });
        const found = mapping.bundle.entry!.map((e) => e.resource!);
        validateAll(file, found);
        resources += found.length;
        unmapped += mapping.unmapped.length;
        for (const u of mapping.unmapped) assert.match(u.path, /^\/ClinicalDocument/, `${file}: an unmapped item names its location`);
        outcomes.document = (outcomes.document ?? 0) + 1;
      } catch (err) {
        assert.ok(err instanceof LongitudeError && err.code.startsWith('LNG_CCDA_'), `${file}: ${String(err)}`);
        outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
        const wrapped = err.code === 'LNG_CCDA_NOT_A_DOCUMENT' ? wrapFragment(bytes.toString('utf8')) : undefined;
        if (wrapped) {
          validateAll(`${file} (wrapped)`, mapCcdaToBundle(wrapped, { receivedAt }).bundle.entry!.map((e) => e.resource!));
          fragments++;
        }
      }
    }
    t.diagnostic(`${files.length} files: ${JSON.stringify(outcomes)}; ${resources} resources, all valid; ${unmapped} unmapped items reported; ${fragments} section fragments mapped inside a wrapper`);
    assert.equal(outcomes.document, 90, 'the 90 ClinicalDocuments of SOURCE.md map');
    assert.equal(outcomes.LNG_CCDA_MALFORMED_XML, 2, 'NT_BadXml and the Basic Occupation example are not well-formed');
  });

  test('the same document twice gives the same ids; the Provenance targets everything and names the document', () => {
    const file = join(DATA, 'ms-fhir-converter/C-CDA_R2-1_CCD.xml.ccda');
    if (!existsSync(file)) return;
    const first = mapCcdaToBundle(readFileSync(file), { receivedAt });
    const again = mapCcdaToBundle(readFileSync(file), { receivedAt });
    assert.deepEqual(again.bundle, first.bundle);
    const ids = first.bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    assert.equal(new Set(ids).size, ids.length, 'no resource twice in one bundle');
    const types = new Set<string>(first.bundle.entry!.map((e) => e.resource!.resourceType));
    for (const type of ['Patient', 'AllergyIntolerance', 'Condition', 'MedicationStatement', 'Immunization', 'Observation', 'DiagnosticReport', 'Procedure', 'Encounter', 'Composition', 'DocumentReference', 'Provenance']) {
      assert.ok(types.has(type), `a CCD maps to ${type}`);
    }
    const provenance = first.bundle.entry!.find((e) => e.resource!.resourceType === 'Provenance')!.resource as { target: { reference: string }[]; entity: { what: { reference?: string } }[] };
    assert.deepEqual(provenance.target.map((r) => r.reference).sort(), ids.filter((i) => !i.startsWith('Provenance/')).sort());
    assert.ok(provenance.entity[0]!.what.reference?.startsWith('DocumentReference/'));
  });

  test('original codes and text stay beside the coding; unknown sections are reported with their location', () => {
    const xml = wrapFragment(`<section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/><code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>
      <text><content ID="p1">High blood pressure</content></text>
      <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.3"/><id root="1.2.3" extension="c1"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.4"/><id root="1.2.3" extension="o1"/>
          <effectiveTime><low value="20200101"/></effectiveTime>
          <value xsi:type="CD" code="59621000" codeSystem="2.16.840.1.113883.6.96" displayName="Essential hypertension"><originalText><reference value="#p1"/></originalText>
            <translation code="I10" codeSystem="2.16.840.1.113883.6.90"/></value></observation></entryRelationship></act></entry>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="9.9.9.9"/></observation></entry></section>`)!;
    const { bundle, unmapped } = mapCcdaToBundle(xml, { receivedAt });
    const condition = bundle.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'Condition') as { code: unknown; onsetDateTime: string };
    assert.deepEqual(condition.code, {
      coding: [
        { system: 'http://snomed.info/sct', code: '59621000', display: 'Essential hypertension' },
        { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' },
      ],
      text: 'High blood pressure',
    });
    assert.equal(condition.onsetDateTime, '2020-01-01');
    assert.deepEqual(unmapped, [{ path: '/ClinicalDocument/component/structuredBody/component/section/entry[2]', reason: 'section "Problems": observation template 9.9.9.9 is not mapped (narrative kept in Composition.section.text)' }]);
  });

  test('Procedure Activity Observation (4.13) is an Observation, unless a sender put it on a <procedure> element', () => {
    const entry = (tag: string, extension: string, code: string) =>
      `<entry><${tag} classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.13"/><id root="1.2.3" extension="${extension}"/>
        <code code="${code}" codeSystem="2.16.840.1.113883.6.12"/><statusCode code="completed"/><effectiveTime value="20100523"/></${tag}></entry>`;
    const xml = wrapFragment(`<section><code code="47519-4" codeSystem="2.16.840.1.113883.6.1"/><title>Procedures</title>${entry('observation', 'x1', '93000')}${entry('procedure', 'x2', '76499')}</section>`)!;
    const resources = mapCcdaToBundle(xml, { receivedAt }).bundle.entry!.map((e) => e.resource!);
    const observation = resources.find((r) => r.resourceType === 'Observation') as { code: { coding: { code: string }[] }; category: { coding: { code: string }[] }[] };
    const procedure = resources.find((r) => r.resourceType === 'Procedure') as { code: { coding: { code: string }[] }; status: string; performedDateTime: string };
    assert.equal(observation.code.coding[0]!.code, '93000');
    assert.equal(observation.category[0]!.coding[0]!.code, 'procedure');
    assert.deepEqual([procedure.code.coding[0]!.code, procedure.status, procedure.performedDateTime], ['76499', 'completed', '2010-05-23']);
  });

  test('mangled XML never throws anything but a LNG_CCDA_* error', () => {
    const file = join(DATA, 'ms-fhir-converter/Patient-and-Provider-Organization-Direct-Address-C-CDAR2.1.ccda');
    if (!existsSync(file)) return;
    const original = readFileSync(file, 'utf8');
    const mangle = fc.oneof(
      fc.record({ at: fc.nat(original.length), drop: fc.integer({ min: 1, max: 200 }) }).map(({ at, drop }) => original.slice(0, at) + original.slice(at + drop)),
      fc.record({ at: fc.nat(original.length), text: fc.string({ unit: fc.constantFrom('<', '>', '/', '"', '&', '=', ' ', 'a', ':', '!', '-', '?', '\u0000', 'é') }) }).map(({ at, text }) => original.slice(0, at) + text + original.slice(at)),
      fc.nat(original.length).map((at) => original.slice(0, at)),
      fc.string(),
    );
    fc.assert(
      fc.property(mangle, (xml) => {
        try {
          mapCcdaToBundle(xml, { receivedAt });
        } catch (err) {
          return err instanceof LongitudeError && err.code.startsWith('LNG_CCDA_');
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
