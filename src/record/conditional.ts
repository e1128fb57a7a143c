/**
 * Conditional interactions (http://hl7.org/fhir/R4/http.html#ccreate, #cond-update,
 * #cdelete): the criteria are evaluated in the same transaction as the write they decide,
 * so two clients cannot both find "no match" and both create. Several matches are refused
 * (412), as the spec allows.
 */
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { errorAt, LongitudeError } from '../platform/errors.ts';
import type { StoreTransaction, WriteResult } from './store-transaction.ts';

async function singleMatch(tx: StoreTransaction, resourceType: string, criteria: string): Promise<string | undefined> {
  const matches = await tx.match(resourceType, criteria);
  if (matches.length > 1) throw new LongitudeError('LNG_MULTIPLE_MATCHES', `${resourceType}?${criteria} matches more than one resource`);
  return matches[0];
}

/** Creates the resource unless one matching `criteria` exists; then answers that one (created: false). */
export async function conditionalCreate<T extends Resource>(tx: StoreTransaction, resource: T, criteria: string): Promise<WriteResult<T>> {
  const existing = await singleMatch(tx, resource.resourceType, criteria);
  if (existing) return { resource: await tx.read<T>(resource.resourceType, existing), created: false, changed: false };
  return tx.create(resource);
}

/** Updates the one resource matching `criteria`, or creates it when none does. */
export async function conditionalUpdate<T extends Resource>(
  tx: StoreTransaction,
  resource: T,
  criteria: string,
  options: { ifMatch?: string } = {},
): Promise<WriteResult<T>> {
  const matched = await singleMatch(tx, resource.resourceType, criteria);
  if (matched && resource.id && resource.id !== matched) {
    throw errorAt('LNG_BAD_REQUEST', `the resource id ${resource.id} is not the id the criteria matched (${matched})`, `${resource.resourceType}.id`);
  }
  return tx.update({ ...resource, id: matched ?? resource.id ?? randomUUID() }, options);
}

/** Deletes the one resource matching `criteria`; none matching is not an error. */
export async function conditionalDelete(tx: StoreTransaction, resourceType: string, criteria: string): Promise<{ deleted: boolean }> {
  const matched = await singleMatch(tx, resourceType, criteria);
  return matched ? tx.delete(resourceType, matched) : { deleted: false };
}
