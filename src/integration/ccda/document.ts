/**
 * The document itself: Composition (the CDA header and its sections, with section narrative and
 * entry references; C-CDA on FHIR "Document" map), DocumentReference (the document as received,
 * so the original is always at hand: the XML as base64 with its hash and size, plus the
 * nonXMLBody's attachment for unstructured documents), and one Provenance whose targets are
 * every resource the document produced and whose source entity is the DocumentReference.
 */
import { createHash } from 'node:crypto';
import type { Attachment, Composition, CompositionSection, DocumentReference, Provenance, Reference } from '@medplum/fhirtypes';
import { CCDA_MAPPING_VERSION, type CcdaContext } from './ccda-context.ts';
import { toCodeableConcept, toDateTime, toIdentifier } from './cda-datatypes.ts';
import { child, children, descend, textContent, type CdaNode } from './cda-xml.ts';
import { assignedReference, authorReferences } from './participants.ts';

const CONFIDENTIALITY = new Set(['U', 'L', 'M', 'N', 'R', 'V']);
const RELATION: Record<string, 'replaces' | 'appends' | 'transforms'> = { RPLC: 'replaces', APND: 'appends', XFRM: 'transforms' };
const FORMAT_SYSTEM = 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode';
/** Header participations this mapping does not turn into resources (reported when present). */
const UNMAPPED_HEADER = ['informant', 'dataEnterer', 'informationRecipient', 'participant', 'authorization', 'inFulfillmentOf', 'authenticator'];

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The section narrative as XHTML text (a plain-text rendering: the structure of CDA tables is not carried over; the original is in the DocumentReference). */
function narrativeDiv(text: CdaNode | undefined): string | undefined {
  const content = textContent(text);
  return content ? `<div xmlns="http://www.w3.org/1999/xhtml">${escapeXml(content)}</div>` : undefined;
}

export function compositionSection(ctx: CcdaContext, section: CdaNode, subsections: CompositionSection[]): CompositionSection {
  const code = toCodeableConcept(ctx, child(section, 'code'));
  const title = textContent(child(section, 'title'));
  const div = narrativeDiv(child(section, 'text'));
  const entries = ctx.sectionEntries.get(section.path) ?? [];
  const empty = !div && entries.length === 0 && subsections.length === 0;
  return {
    ...(title ? { title } : {}),
    ...(code ? { code } : {}),
    // A section needs text, entries or subsections (R4 cmp-1): an empty one says so in its text.
    ...(div || empty ? { text: { status: 'additional', div: div ?? '<div xmlns="http://www.w3.org/1999/xhtml">(this section is empty in the document)</div>' } } : {}),
    ...(entries.length ? { entry: entries.map((reference) => ({ reference })) } : {}),
    ...(empty ? { emptyReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: section.attr.nullFlavor ? 'unavailable' : 'nilknown' }] } } : {}),
    ...(subsections.length ? { section: subsections } : {}),
  };
}

/** The document date; required on a Composition, so a document without one is reported and dated when received. */
export function documentDate(ctx: CcdaContext): string {
  const date = toDateTime(ctx, child(ctx.root, 'effectiveTime'));
  if (date) return date;
  ctx.report('/ClinicalDocument/effectiveTime', 'the document has no usable effectiveTime: dated when received');
  return (ctx.options.receivedAt ?? new Date()).toISOString();
}

export function mapComposition(ctx: CcdaContext, sections: CompositionSection[], encounter: string | undefined): Reference<never> {
  const root = ctx.root;
  for (const tag of UNMAPPED_HEADER) for (const node of children(root, tag)) ctx.report(node.path, `header ${tag} is not mapped`);
  const authors = authorReferences(root);
  if (authors.length === 0) ctx.report('/ClinicalDocument/author', 'the document has no author with an id or name');
  const confidentiality = child(root, 'confidentialityCode')?.attr.code?.trim();
  if (confidentiality && !CONFIDENTIALITY.has(confidentiality)) ctx.report(child(root, 'confidentialityCode')!.path, `confidentialityCode "${confidentiality}" is not a v3 Confidentiality code`);
  const legal = child(root, 'legalAuthenticator');
  const legalTime = toDateTime(ctx, child(legal, 'time'));
  const legalParty = assignedReference(legal);
  const custodian = assignedReference(child(root, 'custodian'));
  const events = children(root, 'documentationOf').map((d) => child(d, 'serviceEvent')).filter((e): e is CdaNode => !!e);
  const identifier = toIdentifier(child(root, 'id'));
  const type = toCodeableConcept(ctx, child(root, 'code')) ?? { text: 'unknown document type' };
  const resource: Composition = {
    resourceType: 'Composition',
    ...(identifier ? { identifier } : {}),
    status: 'final',
    type,
    subject: ctx.patientRef,
    ...(encounter ? { encounter: { reference: encounter } } : {}),
    date: documentDate(ctx),
    author: authors.length ? authors : [{ display: 'unknown (no author in the document)' }],
    title: textContent(child(root, 'title')) || type.text || type.coding?.[0]?.display || 'Clinical document',
    ...(confidentiality && CONFIDENTIALITY.has(confidentiality) ? { confidentiality: confidentiality as Composition['confidentiality'] } : {}),
    ...(legal && (legalParty || legalTime) ? { attester: [{ mode: 'legal', ...(legalTime ? { time: legalTime } : {}), ...(legalParty ? { party: legalParty } : {}) }] } : {}),
    ...(custodian ? { custodian } : {}),
    ...(relations(root).length ? { relatesTo: relations(root).map(({ code, identifier: targetIdentifier }) => ({ code, targetIdentifier })) } : {}),
    ...(events.length
      ? {
          event: events.map((e) => {
            const code = toCodeableConcept(ctx, child(e, 'code'));
            const start = toDateTime(ctx, descend(e, 'effectiveTime/low'));
            const end = toDateTime(ctx, descend(e, 'effectiveTime/high'));
            return { ...(code ? { code: [code] } : {}), ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}) };
          }),
        }
      : {}),
    ...(sections.length ? { section: sections } : {}),
  };
  return ctx.add(resource, undefined, root);
}

function relations(root: CdaNode) {
  return children(root, 'relatedDocument').flatMap((r) => {
    const code = RELATION[r.attr.typeCode ?? ''];
    const identifier = toIdentifier(descend(r, 'parentDocument/id'));
    return code && identifier ? [{ code, identifier }] : [];
  });
}

/** The document as received, plus the nonXMLBody attachment of an unstructured document. */
export function mapDocumentReference(ctx: CcdaContext, bytes: Uint8Array, structured: boolean): Reference<never> {
  const root = ctx.root;
  const type = toCodeableConcept(ctx, child(root, 'code')) ?? { text: 'unknown document type' };
  const masterIdentifier = toIdentifier(child(root, 'id'));
  const setId = toIdentifier(child(root, 'setId'));
  const authors = authorReferences(root);
  const custodian = assignedReference(child(root, 'custodian'));
  const date = toDateTime(ctx, child(root, 'effectiveTime'));
  const original: Attachment = {
    contentType: 'text/xml',
    data: Buffer.from(bytes).toString('base64'),
    size: bytes.byteLength,
    hash: createHash('sha1').update(bytes).digest('base64'),
    ...(textContent(child(root, 'title')) ? { title: textContent(child(root, 'title')) } : {}),
  };
  const format = structured ? 'urn:hl7-org:sdwg:ccda-structuredBody:2.1' : 'urn:hl7-org:sdwg:ccda-nonXMLBody:2.1';
  const content: DocumentReference['content'] = [{ attachment: original, format: { system: FORMAT_SYSTEM, code: format } }];
  const body = descend(root, 'component/nonXMLBody/text');
  if (body) {
    const url = child(body, 'reference')?.attr.value;
    const mediaType = body.attr.mediaType ?? 'text/plain';
    const data = body.attr.representation === 'B64' ? body.text.replace(/\s+/g, '') : body.text.trim() ? Buffer.from(body.text).toString('base64') : undefined;
    if (url || data) content.push({ attachment: { contentType: mediaType, ...(data ? { data } : {}), ...(url ? { url } : {}) } });
    else ctx.report(body.path, 'nonXMLBody without content or reference');
  }
  const resource: DocumentReference = {
    resourceType: 'DocumentReference',
    ...(masterIdentifier ? { masterIdentifier } : {}),
    ...(setId ? { identifier: [setId] } : {}),
    status: 'current',
    docStatus: 'final',
    type,
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note' }] }],
    subject: ctx.patientRef,
    ...(date && /T\d{2}:\d{2}:\d{2}/.test(date) ? { date } : {}),
    ...(authors.length ? { author: authors } : {}),
    ...(custodian ? { custodian } : {}),
    ...(relations(root).length ? { relatesTo: relations(root).map(({ code, identifier }) => ({ code, target: { identifier } })) } : {}),
    content,
  };
  return ctx.add(resource, undefined, root);
}

export function mapProvenance(ctx: CcdaContext, document: Reference<never>): void {
  const targets = ctx.resources.map((r) => ({ reference: `${r.resourceType}/${r.id}` }));
  const author = authorReferences(ctx.root)[0] ?? assignedReference(child(ctx.root, 'custodian')) ?? { display: 'unknown (no author or custodian in the document)' };
  const custodian = assignedReference(child(ctx.root, 'custodian'));
  const occurred = toDateTime(ctx, child(ctx.root, 'effectiveTime'));
  const docId = toIdentifier(child(ctx.root, 'id'));
  const resource: Provenance = {
    resourceType: 'Provenance',
    target: targets,
    ...(occurred ? { occurredDateTime: occurred } : {}),
    recorded: (ctx.options.receivedAt ?? new Date()).toISOString(),
    policy: [`urn:longitude:ccda-fhir:mapping/${CCDA_MAPPING_VERSION}`],
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] },
        who: author,
        ...(custodian && custodian !== author ? { onBehalfOf: custodian } : {}),
      },
    ],
    entity: [
      { role: 'source', what: { ...document, ...(docId ? { identifier: docId } : {}), display: 'the C-CDA document as received' } },
      ...(ctx.options.messageId
        ? [{ role: 'source' as const, what: { identifier: { system: 'urn:longitude:message-store', value: ctx.options.messageId }, display: `inbound message ${ctx.options.messageId}${ctx.options.channel ? ` on channel ${ctx.options.channel}` : ''}` } }]
        : []),
    ],
  };
  ctx.add(resource, undefined, ctx.root);
}
