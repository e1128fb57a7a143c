/**
 * Data quality at entry: every rule over one resource, as findings (finding.ts). Pure; the
 * caller persists them (quality-store.ts) and counts them (quality-metrics.ts). Best run after
 * normalizeResource, so a local code already has its LOINC and a unit its UCUM code.
 */
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { checkCodes } from './check-codes.ts';
import { checkDates } from './check-dates.ts';
import { checkObservationValues } from './check-values.ts';
import type { QualityFinding } from './finding.ts';
import { checkRequiredElements } from './required-elements.ts';

export interface QualityOptions {
  /** "Now" for dates in the future; the current time when omitted. */
  now?: Date;
}

/** Every finding about one resource. */
export function checkQuality(resource: Resource, options: QualityOptions = {}): QualityFinding[] {
  const now = options.now ?? new Date();
  return [
    ...checkRequiredElements(resource),
    ...checkCodes(resource),
    ...(resource.resourceType === 'Observation' ? checkObservationValues(resource as Observation) : []),
    ...checkDates(resource, now),
  ];
}

export interface ResourceQuality {
  resourceType: string;
  /** The resource's id, else its Bundle entry's fullUrl, else `entry[i]`. */
  resourceRef: string;
  findings: QualityFinding[];
}

/** Checks every resource of a Bundle (Provenance excepted: it describes, it is not data). */
export function checkBundleQuality(bundle: Bundle, options: QualityOptions = {}): ResourceQuality[] {
  return (bundle.entry ?? []).flatMap((entry, i) => {
    const resource = entry.resource;
    if (!resource || resource.resourceType === 'Provenance') return [];
    return [{ resourceType: resource.resourceType, resourceRef: resource.id ?? entry.fullUrl ?? `entry[${i}]`, findings: checkQuality(resource, options) }];
  });
}
