/**
 * Keeps the search index in step with the record: the store calls `index` inside the
 * transaction that writes each version, so a search never sees a version without its rows.
 * Values come from evaluating each SearchParameter's FHIRPath expression with medplum's
 * evaluator (@medplum/core, already a dependency and already used by the compartment code):
 * its typed results say whether a value is a Period, a Quantity or a CodeableConcept, which
 * the row builders need.
 */
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import type { IndexedVersion, ResourceRow, SearchIndexer } from '../resource-store.ts';
import { addCompositeRows } from './composite.ts';
import { addIndexRows, emptyIndexRows, type IndexRows } from './index-rows.ts';
import {
  builtInSearchParameters,
  searchParameterStampSql,
  type SearchParameterLookup,
  type SearchParameterRegistry,
} from './search-parameter-registry.ts';
import { replaceTextRows } from './search-text.ts';
import { replaceIndexRowsOfMany } from './write-index-rows.ts';

/**
 * The index rows of one resource, from every indexed search parameter of its type.
 * @param parameters - the hub's parameters; the official ones alone when absent (tests).
 */
export function extractIndexRows(resource: Resource, parameters: SearchParameterLookup = builtInSearchParameters): IndexRows {
  const rows = emptyIndexRows();
  const typed = toTypedValue(resource);
  const input = [typed];
  for (const param of parameters.parametersOf(resource.resourceType).values()) {
    let values: TypedValue[];
    try {
      values = evalFhirPathTyped(param.atom, input);
    } catch {
      // A few R4 expressions use functions the evaluator lacks for some inputs; such a
      // parameter stays unindexed for this resource rather than failing the write.
      continue;
    }
    // A composite's expression yields the elements whose parts form its tuples (composite.ts).
    if (param.components) addCompositeRows(rows, param.components, values, { '%resource': typed });
    else if (param.type !== 'composite') addIndexRows(rows, param.code, param.type, values, param.impliedSystem);
  }
  return rows;
}

function liveContent(row: ResourceRow): Resource | null {
  return row.content && !row.deleted ? row.content : null;
}

export class FhirSearchIndexer implements SearchIndexer {
  /** @param parameters - the hub's search parameters, custom SearchParameters included. */
  constructor(private readonly parameters: SearchParameterRegistry) {}

  /**
   * Indexes the newest versions a unit of work wrote, in two statements whatever their number.
   * @param rows - one per resource; `firstVersion` says it was never indexed (nothing to delete).
   */
  async index(tx: Queryable, rows: readonly IndexedVersion[]): Promise<void> {
    if (rows.length === 0) return;
    // A SearchParameter is checked before it commits (422 if it could not be indexed); from
    // here on this transaction indexes with it, and nobody else does until it commits.
    for (const row of rows) if (row.resourceType === 'SearchParameter') await this.parameters.admit(tx, liveContent(row) as SearchParameter | null);
    // The full-text rows first: their statement also reads the SearchParameter stamp, which
    // says whether the parameters this transaction sees have changed.
    const stamp = await replaceTextRows(tx, rows.map((row) => ({ resourceType: row.resourceType, id: row.id, resource: liveContent(row) })), searchParameterStampSql);
    const parameters = await this.parameters.inTransaction(tx, stamp);
    await replaceIndexRowsOfMany(
      tx,
      rows.map((row) => {
        const resource = liveContent(row);
        return { resourceType: row.resourceType, id: row.id, rows: resource ? extractIndexRows(resource, parameters) : emptyIndexRows(), firstVersion: row.firstVersion };
      }),
    );
  }

  /**
   * Rebuilds every index row of these current versions ($reindex, record/reindex.ts), with the
   * parameters `tx` sees: rows of a parameter since removed go, rows of a new one appear.
   */
  async reindex(tx: Queryable, rows: readonly ResourceRow[]): Promise<void> {
    const parameters = await this.parameters.inTransaction(tx);
    const live = rows.filter((row) => row.content && !row.deleted);
    await replaceIndexRowsOfMany(tx, live.map((row) => ({ resourceType: row.resourceType, id: row.id, rows: extractIndexRows(row.content!, parameters) })));
    await replaceTextRows(tx, live.map((row) => ({ resourceType: row.resourceType, id: row.id, resource: row.content })));
  }
}
