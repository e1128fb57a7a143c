/**
 * Reads a CDA document into a small, uniform element tree: every element keeps its local name
 * (namespace prefixes dropped: CDA lives in urn:hl7-org:v3, and `sdtc:` / `xsi:` are read by
 * local name), its attributes, its children in document order, its text, and an XPath-like
 * location (`/ClinicalDocument/component/structuredBody/component[3]/section`) so that anything
 * not mapped can be reported where it is.
 *
 * fast-xml-parser is lenient about what many real C-CDAs get wrong (undeclared `xsi:`/`sdtc:`
 * prefixes, see ../shared/data/ccda/SOURCE.md) but also about what is not XML at all, so
 * well-formedness is checked first with its validator: a document that is not well-formed is
 * refused with LNG_CCDA_MALFORMED_XML and the line and column, never half-read.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LongitudeError } from '../../platform/errors.ts';

export interface CdaNode {
  /** Local name (no namespace prefix). */
  tag: string;
  attr: Readonly<Record<string, string>>;
  children: CdaNode[];
  /** The element's own text (its text children joined). */
  text: string;
  /** XPath-like location; `[n]` (1-based) only where siblings share the name. */
  path: string;
}

/** Documents larger than this are refused before parsing (a CCD with embedded PDFs is a few MB). */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

type RawNode = Record<string, unknown> & { ':@'?: Record<string, unknown> };

/** Decodes bytes by the XML declaration's encoding (UTF-8 unless it says Latin-1 / Windows-1252); drops a BOM. */
export function decodeXml(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  const head = new TextDecoder('latin1').decode(input.subarray(0, 200));
  const declared = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const encoding = declared && /^(iso-8859-1|latin1|windows-1252|us-ascii)$/.test(declared) ? 'windows-1252' : 'utf-8';
  return new TextDecoder(encoding).decode(input).replace(/^\uFEFF/, '');
}

/**
 * Parses a CDA XML text into its root element.
 * @param xml - the document text (already decoded)
 * @param maxBytes - refuse larger inputs with LNG_CCDA_TOO_LARGE
 */
export function parseCdaXml(xml: string, maxBytes = DEFAULT_MAX_BYTES): CdaNode {
  if (xml.trim() === '') throw new LongitudeError('LNG_CCDA_EMPTY', 'the document is empty');
  if (xml.length > maxBytes) throw new LongitudeError('LNG_CCDA_TOO_LARGE', `the document is larger than ${maxBytes} bytes`);
  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  } catch (cause) {
    throw new LongitudeError('LNG_CCDA_MALFORMED_XML', `not well-formed XML: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new LongitudeError('LNG_CCDA_MALFORMED_XML', `not well-formed XML at line ${line}, column ${col}: ${msg}`, {
      issues: [{ severity: 'error', code: 'structure', diagnostics: msg, expression: [`line ${line}, column ${col}`] }],
    });
  }
  let raw: RawNode[];
  try {
    raw = parser.parse(xml) as RawNode[];
  } catch (cause) {
    throw new LongitudeError('LNG_CCDA_MALFORMED_XML', `not well-formed XML: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const roots = toNodes(raw, '');
  if (roots.length !== 1) throw new LongitudeError('LNG_CCDA_MALFORMED_XML', `an XML document has one root element, found ${roots.length}`);
  return roots[0]!;
}

function toNodes(raw: readonly RawNode[], parentPath: string): CdaNode[] {
  const elements = raw.filter((r) => tagOf(r) !== undefined);
  const counts = new Map<string, number>();
  for (const r of elements) counts.set(tagOf(r)!, (counts.get(tagOf(r)!) ?? 0) + 1);
  const seen = new Map<string, number>();
  return elements.map((r) => {
    const tag = tagOf(r)!;
    const n = (seen.get(tag) ?? 0) + 1;
    seen.set(tag, n);
    const path = `${parentPath}/${tag}${counts.get(tag)! > 1 ? `[${n}]` : ''}`;
    const kids = (r[tag] as RawNode[] | undefined) ?? [];
    const attr: Record<string, string> = {};
    for (const [k, v] of Object.entries(r[':@'] ?? {})) if (!k.startsWith('xmlns')) attr[k] = String(v);
    const text = kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join('');
    return { tag, attr, children: toNodes(kids, path), text, path };
  });
}

function tagOf(r: RawNode): string | undefined {
  return Object.keys(r).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?') && k !== '#comment');
}

/** The first child with this local name. */
export function child(node: CdaNode | undefined, tag: string): CdaNode | undefined {
  return node?.children.find((c) => c.tag === tag);
}

/** Every child with this local name. */
export function children(node: CdaNode | undefined, tag: string): CdaNode[] {
  return node ? node.children.filter((c) => c.tag === tag) : [];
}

/** Follows a `/`-separated chain of first children (`patientRole/patient/name`). */
export function descend(node: CdaNode | undefined, chain: string): CdaNode | undefined {
  let current = node;
  for (const tag of chain.split('/')) current = child(current, tag);
  return current;
}

/** Every element at the end of a `/`-separated chain, following every repetition on the way. */
export function descendAll(node: CdaNode | undefined, chain: string): CdaNode[] {
  let current = node ? [node] : [];
  for (const tag of chain.split('/')) current = current.flatMap((n) => children(n, tag));
  return current;
}

/** All text under an element, in document order, whitespace collapsed (narrative, originalText). */
export function textContent(node: CdaNode | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const walk = (n: CdaNode): void => {
    if (n.text) parts.push(n.text);
    n.children.forEach(walk);
  };
  walk(node);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/** The element's templateId roots (C-CDA names every section and entry template by one). */
export function templateIds(node: CdaNode | undefined): string[] {
  return children(node, 'templateId').map((t) => t.attr.root ?? '').filter(Boolean);
}

/** Whether the element declares any of the given template roots. */
export function hasTemplate(node: CdaNode | undefined, ...roots: string[]): boolean {
  return templateIds(node).some((t) => roots.includes(t));
}
