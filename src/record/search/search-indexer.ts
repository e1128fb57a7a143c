/**
 * Keeps the search index in step with the record: the store calls `index` inside the
 * transaction that writes each version, so a search never sees a version without its rows.
 * Values come from evaluating each SearchParameter's FHIRPath expression with medplum's
 * evaluator (@medplum/core, already a dependency and already used by the compartment code):
 * its typed results say whether a value is a Period, a Quantity or a CodeableConcept, which
 * the row builders need.
 */
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import type { ResourceRow, SearchIndexer } from '../resource-store.ts';
import { addIndexRows, emptyIndexRows, type IndexRows } from './index-rows.ts';
import { searchParametersOf } from './search-parameters.ts';
import { replaceIndexRows } from './write-index-rows.ts';

/** The index rows of one resource, from every indexed search parameter of its type. */
export function extractIndexRows(resource: Resource): IndexRows {
  const rows = emptyIndexRows();
  const input = [toTypedValue(resource)];
  for (const param of searchParametersOf(resource.resourceType).values()) {
    let values: TypedValue[];
    try {
      values = evalFhirPathTyped(param.atom, input);
    } catch {
      // A few R4 expressions use functions the evaluator lacks for some inputs; such a
      // parameter stays unindexed for this resource rather than failing the write.
      continue;
    }
    addIndexRows(rows, param.code, param.type, values);
  }
  return rows;
}

export class FhirSearchIndexer implements SearchIndexer {
  async index(tx: Queryable, row: ResourceRow): Promise<void> {
    const rows = row.content && !row.deleted ? extractIndexRows(row.content) : emptyIndexRows();
    // Version 1 of a resource has never been indexed: there is nothing to delete.
    await replaceIndexRows(tx, row.resourceType, row.id, rows, row.versionId === 1);
  }
}
