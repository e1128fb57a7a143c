/**
 * Test data for US Core conformance tests, read in place from the shared folder (never copied
 * into the project): the official US Core example instances
 * (/work/shared/data/fhir/us-core-examples, CC0-1.0) and the Inferno reference-server patients
 * (/work/shared/data/fhir/inferno-us-core-reference, Apache-2.0). See each folder's SOURCE.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';

export const usCoreExamplesDir = new URL('../../../shared/data/fhir/us-core-examples/', import.meta.url).pathname;
export const infernoDir = new URL('../../../shared/data/fhir/inferno-us-core-reference/', import.meta.url).pathname;

export const usCoreVersions = ['v6.1.0', 'v8.0.0'] as const;
export type UsCoreVersion = (typeof usCoreVersions)[number];

export interface ExampleFile {
  file: string;
  resource: Resource;
}

/**
 * Every example file of one US Core version that holds a FHIR resource (a JSON object with a
 * resourceType), sorted by file name. Files of any other kind are left out.
 */
export function usCoreExampleFiles(version: UsCoreVersion): ExampleFile[] {
  const dir = join(usCoreExamplesDir, version);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
      const isResource = typeof parsed === 'object' && parsed !== null && typeof (parsed as { resourceType?: unknown }).resourceType === 'string';
      return isResource ? [{ file, resource: parsed as Resource }] : [];
    });
}

/** The Inferno reference-server transaction Bundles, in the order the reference server loads them. */
export const infernoBundleFiles = [
  'uscore_bundle_patient_85.json',
  'uscore_bundle_patient_355.json',
  'uscore_bundle_patient_907.json',
  'uscore_bundle_patient_908.json',
  'uscore_bundle_patient_client_test.json',
  'uscore_bundle_asserted-date.json',
] as const;

export function readInfernoBundle(file: string): Bundle {
  return JSON.parse(readFileSync(join(infernoDir, file), 'utf8')) as Bundle;
}

/** The bulk-export Group of the reference server (Patient/85, 355 and 907). */
export function readInfernoGroup(): Resource {
  return JSON.parse(readFileSync(join(infernoDir, 'uscore_group_1a.json'), 'utf8')) as Resource;
}
