/**
 * Provenance for feeds that are not HL7 v2 (CSV rows, FHIR files), recorded the way the HL7 v2
 * mapping records it (hl7v2-fhir/provenance.ts), so every stored resource can say where it
 * came from whatever the feed:
 * - every resource gets `meta.source = urn:longitude:channel/<channel>#<message id>` and a
 *   `meta.tag` with the mapping (or import) version;
 * - one Provenance per message, in the same transaction: `target` every resource written or
 *   ensured, `agent.who` the source system (a Device), `entity` the stored message
 *   (`urn:longitude:message-store|<id>`, where its raw bytes are kept) and the record as the
 *   source knows it (a claim id, a file), `recorded` the receipt time, `policy` the mapping.
 *
 * The Provenance is a conditional PUT on its message-store entity, as in the HL7 v2 mapping,
 * so reprocessing a message rewrites the same Provenance instead of adding one.
 */
import type { Bundle, BundleEntry, Coding, Provenance, Reference, Resource } from '@medplum/fhirtypes';
import { stableUuid } from '../hl7v2-fhir/bundle-builder.ts';
import { identifierCriteria } from '../hl7v2-fhir/identifiers.ts';
import { MESSAGE_STORE_SYSTEM } from '../hl7v2-fhir/provenance.ts';

export interface SourceRecord {
  /** The message store id of the message (row, file, line) the resources come from. */
  messageId: string;
  channel: string;
  receivedAt: Date;
  /** The source system's name (urn-safe): `payer`, `crm`, `ehr-clinic`. */
  sourceSystem: string;
  sourceDisplay?: string;
  /** The record as the source identifies it: a claim id, a file path. */
  record: { system: string; value: string; display: string };
  /** Provenance.policy: the mapping and its version, as a URI. */
  policy: string;
  /** The meta.tag stamped on every resource: the mapping (or import) and its version. */
  tag: Coding & { system: string; code: string };
  /** When the source says the fact happened or was recorded (a row's update date). */
  occurred?: string;
}

/** meta.source of everything a message writes (searchable with `_source`), as the HL7 v2 mapping writes it. */
export function metaSourceOf(source: Pick<SourceRecord, 'channel' | 'messageId'>): string {
  return `urn:longitude:channel/${encodeURIComponent(source.channel)}#${encodeURIComponent(source.messageId)}`;
}

/**
 * The transaction Bundle of a message: its entries with meta stamped, plus the Provenance.
 * @param entries - transaction entries; every written one needs a fullUrl or a `Type/id` url
 */
export function sourceBundle(entries: readonly BundleEntry[], source: SourceRecord): Bundle {
  const stamped = entries.map((e) => (e.resource && isWrite(e) ? { ...e, resource: stampMeta(e.resource, source) } : e));
  const targets = stamped.filter(isWrite).flatMap((e): Reference[] => {
    const target = targetOf(e);
    return target ? [{ reference: target }] : [];
  });
  if (targets.length === 0) return { resourceType: 'Bundle', type: 'transaction', entry: stamped };
  const provenance = provenanceFor(source, targets);
  const messageEntity = { system: MESSAGE_STORE_SYSTEM, value: source.messageId };
  const criteria = identifierCriteria(messageEntity, 'entity:identifier');
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      ...stamped,
      {
        fullUrl: `urn:uuid:${stableUuid(`Provenance?${criteria}`)}`,
        resource: stampMeta(provenance, source),
        request: { method: 'PUT', url: `Provenance?${criteria}` },
      },
    ],
  };
}

function isWrite(entry: BundleEntry): boolean {
  const method = entry.request?.method;
  return method === 'PUT' || method === 'POST';
}

/** What a Provenance.target names: the entry's fullUrl (rewritten by the transaction), else its `Type/id`. */
function targetOf(entry: BundleEntry): string | undefined {
  if (entry.fullUrl) return entry.fullUrl;
  const url = entry.request?.url ?? '';
  return /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(url) ? url : undefined;
}

function stampMeta<T extends Resource>(resource: T, source: SourceRecord): T {
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== source.tag.system);
  return { ...resource, meta: { ...resource.meta, source: metaSourceOf(source), tag: [...tags, { system: source.tag.system, code: source.tag.code }] } };
}

function provenanceFor(source: SourceRecord, targets: Reference[]): Provenance {
  return {
    resourceType: 'Provenance',
    target: targets as Provenance['target'],
    ...(source.occurred ? { occurredDateTime: source.occurred } : {}),
    recorded: source.receivedAt.toISOString(),
    policy: [source.policy],
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] },
        who: {
          type: 'Device',
          identifier: { system: 'urn:longitude:source-system', value: source.sourceSystem },
          display: `${source.sourceDisplay ?? source.sourceSystem} (channel ${source.channel})`,
        },
      },
    ],
    entity: [
      {
        role: 'source',
        what: { identifier: { system: MESSAGE_STORE_SYSTEM, value: source.messageId }, display: `inbound message ${source.messageId} on channel ${source.channel}` },
      },
      { role: 'source', what: { identifier: { system: source.record.system, value: source.record.value }, display: source.record.display } },
    ],
  };
}
