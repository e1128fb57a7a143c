/**
 * CDA R2 data types → FHIR R4 data types, following the C-CDA on FHIR IG's data type maps
 * (http://hl7.org/fhir/us/ccda/ … "CDA → FHIR" mapping pages) where they speak:
 * II → Identifier, CD/CE/CV → CodeableConcept (original code kept as a coding, translations as
 * further codings, originalText as text), TS → date/dateTime, IVL_TS → Period, PQ → Quantity,
 * AD → Address, PN → HumanName, TEL → ContactPoint. A value that cannot be converted (a date
 * that is no date) is reported at its location, not guessed.
 */
import type { Address, CodeableConcept, Coding, ContactPoint, HumanName, Identifier, Period, Quantity } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { child, children, textContent, type CdaNode } from './cda-xml.ts';
import { codeSystemUri, identifierSystemUri, isOid, isUuid } from './code-systems.ts';

const present = (node: CdaNode | undefined): node is CdaNode => !!node && !node.attr.nullFlavor;

/** II → Identifier: root + extension → system + value; a bare root is itself the value (urn:oid / urn:uuid). */
export function toIdentifier(node: CdaNode | undefined): Identifier | undefined {
  const root = node?.attr.root?.trim();
  if (!node || !root) return undefined;
  const extension = node.attr.extension?.trim();
  if (extension) {
    const system = identifierSystemUri(root);
    return system ? { system, value: extension } : { value: extension };
  }
  if (isUuid(root)) return { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${root.toLowerCase()}` };
  if (isOid(root)) return { system: 'urn:ietf:rfc:3986', value: `urn:oid:${root}` };
  return { value: root };
}

export function toIdentifiers(nodes: readonly CdaNode[]): Identifier[] {
  return nodes.map(toIdentifier).filter((i): i is Identifier => !!i);
}

/** The key of an entry's ids for stable resource ids (`root|extension;…`), or undefined when it has none. */
export function idKey(nodes: readonly CdaNode[]): string | undefined {
  const parts = nodes.filter((n) => n.attr.root && !n.attr.nullFlavor).map((n) => `${n.attr.root!.trim()}|${n.attr.extension?.trim() ?? ''}`);
  return parts.length ? parts.sort().join(';') : undefined;
}

function toCoding(node: CdaNode): Coding | undefined {
  const code = node.attr.code?.trim();
  if (!code || node.attr.nullFlavor) return undefined;
  const system = codeSystemUri(node.attr.codeSystem);
  const display = node.attr.displayName?.trim();
  return { ...(system ? { system } : {}), code, ...(display ? { display } : {}) };
}

/**
 * CD → CodeableConcept. The code as sent and every translation become codings (nothing
 * normalized away); text is the originalText, resolved through its narrative reference when
 * it has one, else the displayName. Undefined when there is neither a code nor a text.
 */
export function toCodeableConcept(ctx: CcdaContext, node: CdaNode | undefined): CodeableConcept | undefined {
  if (!node) return undefined;
  const codings = [node, ...children(node, 'translation')].map(toCoding).filter((c): c is Coding => !!c);
  const original = child(node, 'originalText');
  const text = (original && (ctx.narrativeText(child(original, 'reference')?.attr.value) ?? textContent(original))) || node.attr.displayName?.trim() || undefined;
  if (codings.length === 0 && !text) return undefined;
  return { ...(codings.length ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

const TS = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(\.\d+)?)?([+-]\d{4}|Z)?$/;

/**
 * TS → FHIR date or dateTime, keeping the precision sent (http://hl7.org/fhir/R4/datatypes.html#dateTime).
 * A time needs an offset in FHIR: one sent without is given the configured default offset.
 * Hours without minutes get `:00`. Returns undefined (and reports) when it is not a valid TS.
 */
export function toDateTime(ctx: CcdaContext, node: CdaNode | undefined): string | undefined {
  const value = node?.attr.value?.trim();
  if (!node || !value || node.attr.nullFlavor) return undefined;
  const m = TS.exec(value);
  const valid = m && validParts(m);
  if (!m || !valid) {
    ctx.report(node.path, `invalid TS value "${value}"`);
    return undefined;
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!mo) return y!;
  if (!d) return `${y}-${mo}`;
  const date = `${y}-${mo}-${d}`;
  if (!h) return date;
  const offset = zone ? (zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3)}`) : (ctx.options.defaultOffset ?? 'Z');
  return `${date}T${h}:${mi ?? '00'}:${s ?? '00'}${frac ?? ''}${offset}`;
}

function validParts(m: RegExpExecArray): boolean {
  const [, y, mo, d, h, mi, s, , zone] = m;
  if (mo && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d && (Number(d) < 1 || Number(d) > new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate())) return false;
  if (h && Number(h) > 23) return false;
  if (mi && Number(mi) > 59) return false;
  if (s && Number(s) > 59) return false;
  if (zone && zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(3)) > 59)) return false;
  return Number(y) >= 1;
}

/** The date part of a TS (FHIR `date`: birthDate, Immunization.expirationDate). */
export function toDate(ctx: CcdaContext, node: CdaNode | undefined): string | undefined {
  return toDateTime(ctx, node)?.slice(0, 10);
}

/** IVL_TS (or a TS with @value) → Period; a point in time is start = end (C-CDA on FHIR). */
export function toPeriod(ctx: CcdaContext, node: CdaNode | undefined): Period | undefined {
  if (!node || node.attr.nullFlavor) return undefined;
  const point = toDateTime(ctx, node);
  if (point) return { start: point };
  const start = toDateTime(ctx, child(node, 'low')) ?? toDateTime(ctx, child(node, 'center'));
  const end = toDateTime(ctx, child(node, 'high'));
  if (!start && !end) return undefined;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** effectiveTime → one dateTime when it is a point (or low only), else a Period. */
export function toEffective(ctx: CcdaContext, node: CdaNode | undefined): { dateTime?: string; period?: Period } {
  const period = toPeriod(ctx, node);
  if (!period) return {};
  if (period.start && (!period.end || period.end === period.start) && !child(node, 'high')) return { dateTime: period.start };
  return { period };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** PQ → Quantity with its UCUM unit (CDA PQ units are UCUM by definition). */
export function toQuantity(ctx: CcdaContext, node: CdaNode | undefined): Quantity | undefined {
  if (!present(node)) return undefined;
  const raw = node.attr.value?.trim();
  const unit = node.attr.unit?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!NUMBER.test(raw)) {
    ctx.report(node.path, `invalid PQ value "${raw}"`);
    return undefined;
  }
  return { value: Number(raw), ...(unit && unit !== '1' ? { unit, system: 'http://unitsofmeasure.org', code: unit } : {}) };
}

const ADDRESS_USE: Record<string, Address['use']> = { H: 'home', HP: 'home', HV: 'home', WP: 'work', DIR: 'work', PUB: 'work', TMP: 'temp', OLD: 'old', BAD: 'old' };

/** AD → Address (streetAddressLine repeats → line). */
export function toAddress(ctx: CcdaContext, node: CdaNode): Address | undefined {
  if (node.attr.nullFlavor) return undefined;
  const part = (tag: string) => children(node, tag).map((c) => textContent(c)).filter(Boolean);
  const line = part('streetAddressLine');
  const [city] = part('city');
  const [state] = part('state');
  const [postalCode] = part('postalCode');
  const [country] = part('country');
  const [district] = part('county');
  const use = ADDRESS_USE[node.attr.use?.split(/\s+/)[0] ?? ''];
  const period = toPeriod(ctx, child(node, 'useablePeriod'));
  const address: Address = {
    ...(use ? { use } : {}),
    ...(line.length ? { line } : {}),
    ...(city ? { city } : {}),
    ...(district ? { district } : {}),
    ...(state ? { state } : {}),
    ...(postalCode ? { postalCode } : {}),
    ...(country ? { country } : {}),
    ...(period ? { period } : {}),
  };
  return Object.keys(address).length > (use ? 1 : 0) ? address : undefined;
}

const NAME_USE: Record<string, HumanName['use']> = { L: 'official', C: 'official', P: 'nickname', A: 'anonymous', ASGN: 'usual', OR: 'official', SRCH: 'usual' };

/** PN → HumanName; a name with only text (no parts) keeps it as text. */
export function toHumanName(node: CdaNode): HumanName | undefined {
  if (node.attr.nullFlavor) return undefined;
  const parts = (tag: string) => children(node, tag).filter((c) => !c.attr.nullFlavor).map((c) => textContent(c)).filter(Boolean);
  const given = parts('given');
  const [family] = parts('family');
  const prefix = parts('prefix');
  const suffix = parts('suffix');
  const use = NAME_USE[node.attr.use?.split(/\s+/)[0] ?? ''];
  const text = node.children.length === 0 ? node.text.trim() : '';
  if (!family && !given.length && !text) return undefined;
  return {
    ...(use ? { use } : {}),
    ...(text ? { text } : {}),
    ...(family ? { family } : {}),
    ...(given.length ? { given } : {}),
    ...(prefix.length ? { prefix } : {}),
    ...(suffix.length ? { suffix } : {}),
  };
}

const TELECOM_USE: Record<string, ContactPoint['use']> = { HP: 'home', H: 'home', HV: 'home', WP: 'work', MC: 'mobile', PG: 'mobile', TMP: 'temp', BAD: 'old' };

/** TEL → ContactPoint: the URL scheme gives the system (tel:, fax:, mailto:, http:). */
export function toContactPoint(node: CdaNode): ContactPoint | undefined {
  const raw = node.attr.value?.trim();
  if (!raw || node.attr.nullFlavor) return undefined;
  const m = /^(tel|fax|mailto|http|https):(.*)$/i.exec(raw);
  const scheme = m?.[1]?.toLowerCase();
  const system: ContactPoint['system'] = scheme === 'fax' ? 'fax' : scheme === 'mailto' ? 'email' : scheme?.startsWith('http') ? 'url' : 'phone';
  const value = scheme?.startsWith('http') ? raw : (m?.[2] ?? raw).trim().replace(/^\/\//, '');
  if (!value) return undefined;
  const use = TELECOM_USE[node.attr.use?.split(/\s+/)[0] ?? ''];
  return { system, value, ...(use ? { use } : {}) };
}

/** The display name of a person or organization element (`assignedPerson/name`, `representedOrganization/name`). */
export function nameText(node: CdaNode | undefined): string | undefined {
  if (!node) return undefined;
  const name = toHumanName(node);
  const text = name ? [name.prefix?.join(' '), name.given?.join(' '), name.family, name.suffix?.join(' '), name.text].filter(Boolean).join(' ') : textContent(node);
  return text || undefined;
}
