/**
 * Small helpers for this folder's tests: a minimal US Realm Header document around section XML,
 * and the resources of its mapping by type. Not used by the mapping itself.
 */
import type { Resource, ResourceType } from '@medplum/fhirtypes';
import { mapCcdaToBundle, type CcdaMapping } from './map-ccda.ts';

export const RECEIVED_AT = new Date('2024-01-01T00:00:00Z');

/** A ClinicalDocument whose structuredBody holds the given `<section>`s (xsi: and sdtc: declared). */
export function documentWithSections(...sections: string[]): string {
  return `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">
<id root="2.16.840.1.113883.19.5" extension="unit-test"/><code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240101"/>
<author><time value="20240101"/><assignedAuthor><id root="2.16.840.1.113883.19.5" extension="a1"/></assignedAuthor></author>
<recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="p1"/><patient><name><given>Test</given><family>Unit</family></name></patient></patientRole></recordTarget>
<component><structuredBody>${sections.map((s) => `<component>${s}</component>`).join('')}</structuredBody></component></ClinicalDocument>`;
}

/** Maps a document made of the sections. */
export function mapSections(...sections: string[]): CcdaMapping {
  return mapCcdaToBundle(documentWithSections(...sections), { receivedAt: RECEIVED_AT });
}

/** The resources of one type in a mapping, in bundle order. */
export function resourcesOf<T extends Resource>(mapping: CcdaMapping, type: ResourceType): T[] {
  return (mapping.bundle.entry ?? []).map((e) => e.resource!).filter((r): r is T => r.resourceType === type);
}
