/**
 * Normalization and quality checks over everything the mapper makes of the shared HL7 v2
 * corpus (../shared/data/hl7v2, see its SOURCE.md): real-world messages from many senders,
 * local codes, odd units and free text included. Neither throws, and what normalization writes
 * is still valid FHIR R4.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertValidResource } from '../../fhir/validate.ts';
import { parseMessage } from '../hl7v2/parse.ts';
import { splitMessages } from '../hl7v2/split.ts';
import { mapHl7ToBundle, unsupportedReason } from '../hl7v2-fhir/map-message.ts';
import { checkBundleQuality } from '../quality/check-quality.ts';
import { normalizeBundle } from './normalize-resource.ts';

const root = new URL('../../../../shared/data/hl7v2/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'expected' ? [] : files(path);
    return /\.(hl7|txt|er7|dat)$/i.test(name) ? [path] : [];
  });
}

test('every mapped corpus message normalizes and checks without throwing, and stays valid FHIR', () => {
  let bundles = 0;
  let changes = 0;
  let findings = 0;
  const rules = new Map<string, number>();
  for (const file of files(root)) {
    for (const [i, m] of splitMessages(readFileSync(file)).messages.entries()) {
      const parsed = parseMessage(m.content);
      if (!parsed.ok || unsupportedReason(parsed.message)) continue;
      let bundle;
      try {
        bundle = mapHl7ToBundle(parsed.message, { messageId: `${i}`, channel: 'corpus', receivedAt: new Date('2026-01-01T00:00:00Z') });
      } catch {
        continue; // rejected by the mapper, which reports it; not this test's subject
      }
      const sender = [parsed.message.segments[0]?.fields[3]?.toString(), parsed.message.segments[0]?.fields[4]?.toString()].filter(Boolean).join('.');
      const normalized = normalizeBundle(bundle, { source: sender || 'corpus' });
      bundles++;
      changes += normalized.changes.length;
      for (const c of normalized.changes) rules.set(c.rule.replace(/[:#].*$/, ''), (rules.get(c.rule.replace(/[:#].*$/, '')) ?? 0) + 1);
      for (const e of normalized.bundle.entry ?? []) assert.doesNotThrow(() => assertValidResource(e.resource), `${file} message ${i}: ${e.resource?.resourceType}`);
      findings += checkBundleQuality(normalized.bundle).reduce((n, c) => n + c.findings.length, 0);
    }
  }
  console.log(`corpus: ${bundles} bundles, ${changes} normalization changes (${[...rules].map(([r, n]) => `${r} ${n}`).join(', ')}), ${findings} quality findings`);
  assert.ok(bundles > 50, `${bundles} bundles mapped`);
});
