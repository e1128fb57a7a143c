/**
 * What every section mapper shares while one document is mapped: the document's identity (the
 * root of every stable resource id), the narrative blocks by their ID (CD.originalText points
 * into them), the resources collected so far, and the list of what could not be mapped, with
 * where it is and why, so nothing is dropped silently.
 */
import { createHash } from 'node:crypto';
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { CdaNode } from './cda-xml.ts';

/** Bumped when a change alters what a document maps to (recorded on the Provenance). */
export const CCDA_MAPPING_VERSION = '2';

export interface Unmapped {
  /** XPath-like location in the document (`/ClinicalDocument/component/structuredBody/component[4]/section/entry[2]`). */
  path: string;
  reason: string;
}

export interface CcdaMapOptions {
  /** Offset for times sent without one (`-05:00`); FHIR requires an offset on a time. Defaults to `Z`. */
  defaultOffset?: string;
  /** The message store id of the stored document, named on the Provenance when given. */
  messageId?: string;
  /** The channel the document came in on (Provenance). */
  channel?: string;
  /** When the document was received; Provenance.recorded (defaults to the document's effectiveTime, else now). */
  receivedAt?: Date;
  /** Refuse larger documents (LNG_CCDA_TOO_LARGE). */
  maxBytes?: number;
}

/** A name-based UUID (RFC 4122 §4.3 layout over SHA-1): the same name always gives the same id. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class CcdaContext {
  readonly unmapped: Unmapped[] = [];
  readonly resources: Resource[] = [];
  private readonly byId = new Map<string, string>();
  /** Section entry references (Type/id) per section path, for Composition.section.entry. */
  readonly sectionEntries = new Map<string, string[]>();
  currentSection: string | undefined;

  constructor(
    readonly root: CdaNode,
    /** The document's own id (ClinicalDocument/id), as `root|extension`. */
    readonly documentKey: string,
    /** The patient's key: their identifiers in the document, else the document key. */
    readonly patientKey: string,
    readonly narrative: ReadonlyMap<string, string>,
    readonly options: CcdaMapOptions,
  ) {}

  get patientRef(): Reference<never> {
    return { reference: `Patient/${stableUuid(`patient|${this.patientKey}`)}` };
  }

  report(path: string, reason: string): void {
    this.unmapped.push({ path, reason });
  }

  /**
   * Adds a resource under a stable id and returns its reference. `entryKey` is the entry's own
   * CDA ids (globally unique by the II definition) scoped to the patient, so the same entry in a
   * later version of the document updates the same resource; without ids, the document key and
   * the entry's location. The same key twice with the same content is one resource (an entry
   * quoted in two sections); with different content (a sender reusing an id) the second gets
   * its location appended, so neither is lost.
   */
  add<T extends Resource>(resource: T, entryKey: string | undefined, node: CdaNode): Reference<never> {
    const name = entryKey ? `${resource.resourceType}|${this.patientKey}|${entryKey}` : `${resource.resourceType}|${this.documentKey}|${node.path}`;
    let id = stableUuid(name);
    const content = JSON.stringify({ ...resource, id: undefined });
    const existing = this.byId.get(`${resource.resourceType}/${id}`);
    if (existing === content) return this.refer(`${resource.resourceType}/${id}`);
    if (existing !== undefined) id = stableUuid(`${name}|${node.path}`);
    this.byId.set(`${resource.resourceType}/${id}`, content);
    this.resources.push({ ...resource, id });
    return this.refer(`${resource.resourceType}/${id}`);
  }

  private refer(reference: string): Reference<never> {
    if (this.currentSection) {
      const list = this.sectionEntries.get(this.currentSection) ?? [];
      if (!list.includes(reference)) list.push(reference);
      this.sectionEntries.set(this.currentSection, list);
    }
    return { reference };
  }

  /** The narrative text a `#id` reference points at (CD.originalText/reference, text/reference). */
  narrativeText(reference: string | undefined): string | undefined {
    if (!reference?.startsWith('#')) return undefined;
    return this.narrative.get(reference.slice(1)) || undefined;
  }
}
