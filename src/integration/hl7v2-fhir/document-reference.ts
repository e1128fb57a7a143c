/**
 * TXA + OBX → DocumentReference (V2-to-FHIR IG TXA[DocumentReference] and OBX[DocumentReference]
 * maps): type TXA-2, date TXA-6, author TXA-9, authenticator TXA-10, masterIdentifier TXA-12,
 * identifier TXA-16 (file name), docStatus TXA-17 (table 0271), securityLabel TXA-18,
 * status TXA-19 (table 0273), description TXA-25; the activity time TXA-4, which the IG leaves
 * unmapped, as the context period. Its content comes from the OBX that follow, as attachments:
 * text rows (TX, FT, ST) become one text/plain attachment, each ED row (encapsulated data, a
 * PDF) an attachment of its own type.
 *
 * Keyed by the unique document number TXA-12, so a later status change (MDM^T04) or
 * replacement of the same document updates it.
 */
import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, tableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { comp, type Rep, type Seg } from './segments.ts';

/** Document completion status (table 0271) → docStatus. */
const completion: Record<string, NonNullable<DocumentReference['docStatus']>> = {
  AU: 'final',
  LA: 'final',
  DI: 'preliminary',
  DO: 'preliminary',
  IP: 'preliminary',
  IN: 'preliminary',
  PA: 'preliminary',
};
/** Document availability status (table 0273) → status. */
const availability: Record<string, DocumentReference['status']> = { AV: 'current', UN: 'current', OB: 'superseded', CA: 'entered-in-error' };
/** Document confidentiality status (table 0272) → v3 Confidentiality. */
const confidentiality: Record<string, string> = { V: 'V', R: 'R', U: 'N' };

/** ED type of data (table 0191) → MIME top-level type. */
const mimeType: Record<string, string> = { AP: 'application', APPLICATION: 'application', IM: 'image', IMAGE: 'image', AU: 'audio', AUDIO: 'audio', TEXT: 'text', TX: 'text', SD: 'application', SI: 'image', NS: 'application' };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * ED (source ^ type ^ subtype ^ encoding ^ data, ch. 2A.26) → Attachment. Data that is not
 * what its encoding says (a placeholder, a truncated upload) is not guessed at: the attachment
 * keeps its type and says the data is absent in error; the raw bytes stay in the message store.
 */
export function attachmentFromEd(rep: Rep | undefined, title?: string): Attachment | undefined {
  if (!rep) return undefined;
  const type = comp(rep, 2);
  const subtype = comp(rep, 3)?.toLowerCase();
  const encoding = comp(rep, 4)?.toUpperCase();
  const raw = comp(rep, 5);
  const contentType = type ? `${mimeType[type.toUpperCase()] ?? type.toLowerCase()}/${subtype ?? 'octet-stream'}` : 'application/octet-stream';
  let data: string | undefined;
  if (raw && encoding === 'BASE64') data = BASE64.test(raw.replace(/\s+/g, '')) ? raw.replace(/\s+/g, '') : undefined;
  else if (raw && encoding === 'HEX') data = /^([0-9a-f]{2})+$/i.test(raw) ? Buffer.from(raw, 'hex').toString('base64') : undefined;
  else if (raw) data = Buffer.from(raw, 'utf8').toString('base64');
  return {
    contentType,
    ...(data ? { data } : raw ? { _data: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'error' }] } } : {}),
    ...(title ? { title } : {}),
  } as Attachment;
}

/** Text (TX/FT/ST/other OBX rows) as a text/plain attachment. */
export function textAttachment(text: string, title?: string): Attachment {
  return { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text, 'utf8').toString('base64'), ...(title ? { title } : {}) };
}

/**
 * The content of a document's OBX rows, one content entry per OBX (IG OBX[DocumentReference]):
 * ED → the attachment it encapsulates, RP → a URL, text (TX, FT, ST …) → its repetitions as
 * lines. The IG names "application/text" and "text/hl7v2" for TX and FT; the parser has
 * already decoded FT's formatting commands (`\.br\` → line break), so what is stored is plain
 * text, and says so with the registered type text/plain.
 */
export function documentContent(obxs: readonly Seg[], title?: string): Attachment[] {
  return obxs.flatMap((obx): Attachment[] => {
    const type = obx.text(2)?.toUpperCase();
    const name = comp(obx.rep(3), 2) ?? title;
    if (type === 'ED') return obx.reps(5).map((rep) => attachmentFromEd(rep, name)).filter((a): a is Attachment => a !== undefined);
    if (type === 'RP') return obx.reps(5).flatMap((rep) => (comp(rep, 1) ? [{ url: comp(rep, 1)!, ...(name ? { title: name } : {}) }] : []));
    const text = obx.reps(5).map((r) => r.map((c) => c.join('&')).join('^')).join('\n').trim();
    return text ? [textAttachment(text, name)] : [];
  });
}

/** TXA + OBX → DocumentReference, not yet keyed. */
export function documentReferenceFromTxa(txa: Seg, obxs: readonly Seg[], ctx: MappingContext, subject: Ref, encounter?: Ref): DocumentReference {
  const number = eiIdentifier(txa.rep(12), ctx, { defaultSystem: localSystem(ctx, 'txa-12') });
  const fileName = txa.text(16);
  const created = ctx.dateTime(txa, 6);
  const content = documentContent(obxs, fileName);
  // TXA-3 (content presentation, table 0191) is the attachment type when no OBX carries content.
  const presentation = txa.text(3)?.toUpperCase();
  const attachments = content.length > 0 ? content : [{ ...(presentation ? { contentType: presentation === 'TX' || presentation === 'FT' ? 'text/plain' : `${mimeType[presentation] ?? 'application'}/octet-stream` } : {}), ...(fileName ? { title: fileName } : {}) }];
  const authors = txa.reps(9).map((r) => practitionerReference(r, ctx)).filter((r): r is Ref => r !== undefined);
  const authenticator = practitionerReference(txa.rep(10) ?? txa.rep(22), ctx);
  const activity = ctx.dateTime(txa, 4);
  const docStatus = mapCode(txa.text(17), completion);
  const security = mapCode(txa.text(18), confidentiality);
  const type = codeableConcept(txa.rep(2), { table: '0270' }) ?? tableConcept(txa.text(2), '0270');
  const identifier = [...(number ? [number] : []), ...(fileName ? [{ system: localSystem(ctx, 'txa-16'), value: fileName }] : [])];
  const title = txa.reps(25).map((r) => comp(r, 1)).filter(Boolean).join('; ');
  return {
    resourceType: 'DocumentReference',
    ...(number ? { masterIdentifier: number } : {}),
    ...(identifier.length > 0 ? { identifier } : {}),
    status: mapCode(txa.text(19), availability) ?? 'current',
    ...(docStatus ? { docStatus } : {}),
    ...(type ? { type } : {}),
    subject,
    // TXA-6 origination → date, an instant, "if time is included" (IG TXA row 6).
    ...(created?.includes('T') ? { date: created } : {}),
    ...(authors.length > 0 ? { author: authors } : {}),
    ...(authenticator ? { authenticator } : {}),
    ...(title ? { description: title } : {}),
    ...(security ? { securityLabel: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: security }] }] } : {}),
    content: attachments.map((attachment) => ({ attachment: { ...attachment, ...(created ? { creation: created } : {}) } })),
    ...(encounter || activity ? { context: { ...(encounter ? { encounter: [encounter] } : {}), ...(activity ? { period: { start: activity } } : {}) } } : {}),
  };
}

export function addDocumentReference(ctx: MappingContext, builder: BundleBuilder, document: DocumentReference, mode: WriteMode): Ref {
  return builder.add(document, document.identifier?.[0] ?? localIdentifier(ctx, 'TXA', ctx.controlId), mode, 'same');
}
