/**
 * The search parameters of one hub: the official R4 and US Core definitions
 * (search-parameters.ts, immutable, memoized once per process) plus the custom
 * SearchParameter resources stored in the record (http://hl7.org/fhir/R4/searchparameter.html).
 * The parser, the indexer and the CapabilityStatement ask it through SearchParameterLookup,
 * so all three see the same custom parameters.
 *
 * Keeping the custom parameters in step with the record, rollback included: the registry never
 * takes a parameter from a write in progress. Whoever asks (the indexer inside the writing
 * transaction, a search or /metadata outside one) first reads a stamp of the stored
 * SearchParameters, through its own connection or transaction, and reloads them through it
 * when the stamp moved. So
 * - a parameter applies to every write and search that starts after its commit: a statement
 *   sees every commit made before it began;
 * - a rolled-back SearchParameter never applies anywhere: nobody else can read it;
 * - several hub processes on one PostgreSQL agree, with no message between them (a
 *   notification after commit, or an outbox consumer, would reach one process only, and late);
 * - a transaction that itself writes a SearchParameter (a transaction Bundle) indexes its
 *   other resources with it, on a snapshot kept for that transaction alone and never shared.
 * The price is one small query per write and per search (an index range over the few
 * SearchParameter rows of `resource`).
 */
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { resourceTypes } from '../../fhir/index.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt } from '../../platform/errors.ts';
import { expressionFor, isResourceColumnParameter, searchParametersOf, type IndexedParameter, type IndexedType } from './search-parameters.ts';

/** What the parser, the indexer and the CapabilityStatement need: a type's parameters, by code. */
export interface SearchParameterLookup {
  parametersOf(resourceType: string): ReadonlyMap<string, IndexedParameter>;
}

/** The official definitions alone, for callers that hold no registry (they see no custom parameter). */
export const builtInSearchParameters: SearchParameterLookup = { parametersOf: searchParametersOf };

/** The types a custom parameter may have: those with an index table of their own. */
export const customParameterTypes = ['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri'] as const satisfies readonly IndexedType[];

/** A search parameter code as it appears in a query: no `:` (modifiers) or `.` (chains). */
const codePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Why a SearchParameter cannot be indexed, and the element at fault. */
interface Problem {
  message: string;
  element: string;
}

/** One base type's share of a custom definition. */
export interface CompiledParameter {
  base: string;
  parameter: IndexedParameter;
}

/**
 * The indexed parameters an active SearchParameter defines, one per base type, or the first
 * problem that stops it. Only `active` definitions are searchable; a draft or retired one is
 * stored like any other resource and defines nothing.
 */
export function compileSearchParameter(definition: SearchParameter): CompiledParameter[] | Problem {
  if (definition.status !== 'active') return [];
  const { code, type, expression } = definition;
  const bases = (definition.base ?? []) as string[];
  if (!code || !codePattern.test(code)) {
    return { message: 'code must be a parameter name of letters, digits, - and _, starting with a letter', element: 'SearchParameter.code' };
  }
  if (!(customParameterTypes as readonly string[]).includes(type ?? '')) {
    return { message: `type ${type} cannot be indexed; use one of ${customParameterTypes.join(', ')}`, element: 'SearchParameter.type' };
  }
  const known = resourceTypes();
  const unknown = bases.find((base) => !known.has(base) || base === 'AuditEvent');
  if (bases.length === 0 || unknown !== undefined) {
    // Resource and DomainResource are refused too: a parameter on every type is not supported yet.
    return { message: `base must name stored resource types${unknown ? `; ${unknown} is not one` : ''}`, element: 'SearchParameter.base' };
  }
  if (!expression) return { message: 'an active SearchParameter needs an expression to be indexed', element: 'SearchParameter.expression' };
  const parameters: CompiledParameter[] = [];
  for (const base of bases) {
    const builtIn = searchParametersOf(base).get(code);
    // A copy of a definition we already index (a US Core or base SearchParameter stored by a
    // client, as test kits do) is accepted and adds nothing: the same url means the same
    // parameter (FHIR R4 §3.1.0.1: a canonical url identifies one definition).
    if (builtIn && definition.url && builtIn.url === definition.url) continue;
    if (isResourceColumnParameter(code) || builtIn) {
      return { message: `code ${code} is already a search parameter of ${base}`, element: 'SearchParameter.code' };
    }
    const part = expressionFor(expression, base);
    if (!part) return { message: `expression has no path starting at ${base}`, element: 'SearchParameter.expression' };
    let atom: FhirPathAtom;
    try {
      atom = parseFhirPath(part);
    } catch (err) {
      return { message: `expression is not valid FHIRPath: ${(err as Error).message}`, element: 'SearchParameter.expression' };
    }
    parameters.push({ base, parameter: { code, type: type as IndexedType, url: definition.url ?? '', expression: part, atom, targets: definition.target ?? [] } });
  }
  return parameters;
}

function isProblem(result: CompiledParameter[] | Problem): result is Problem {
  return !Array.isArray(result);
}

/** The parameters as of one stamp of the stored SearchParameters. */
class SearchParameterSnapshot implements SearchParameterLookup {
  private readonly merged = new Map<string, ReadonlyMap<string, IndexedParameter>>();

  constructor(
    readonly stamp: string,
    private readonly custom: ReadonlyMap<string, readonly IndexedParameter[]>,
  ) {}

  parametersOf(resourceType: string): ReadonlyMap<string, IndexedParameter> {
    const extra = this.custom.get(resourceType);
    if (!extra) return searchParametersOf(resourceType);
    let params = this.merged.get(resourceType);
    if (!params) {
      const map = new Map(searchParametersOf(resourceType));
      // Built-in codes win: a custom one that clashes was refused when written, but the
      // official definitions may gain a code in a later release.
      for (const p of extra) if (!map.has(p.code)) map.set(p.code, p);
      params = map;
      this.merged.set(resourceType, params);
    }
    return params;
  }
}

/**
 * The stamp of the stored SearchParameters, as SQL: their number and the sum of their version
 * ids. Every create, update and delete adds a version, so any committed change moves the sum;
 * resources are never removed outright (a delete is a tombstone version). The indexer reads it
 * in the statement that writes a resource's text rows, saving a round trip per write.
 */
export const searchParameterStampSql = `(select count(*)::int::text || ':' || coalesce(sum(version_id), 0)::text from resource where resource_type = 'SearchParameter')`;

async function readStamp(q: Queryable): Promise<string> {
  const { rows } = await q.query<{ stamp: string }>(`select ${searchParameterStampSql} as stamp`);
  return rows[0]?.stamp ?? '';
}

/** Reads every stored SearchParameter in one statement, so the stamp matches the definitions. */
async function loadSnapshot(q: Queryable): Promise<SearchParameterSnapshot> {
  const { rows } = await q.query<{ version_id: number; content: SearchParameter | null }>(
    `select version_id, content from resource where resource_type = 'SearchParameter' order by id`,
  );
  const custom = new Map<string, IndexedParameter[]>();
  let versions = 0;
  for (const row of rows) {
    versions += row.version_id;
    if (!row.content) continue; // deleted
    const compiled = compileSearchParameter(row.content);
    // Stored before it could be checked (or by hand): left out rather than half-indexed.
    if (isProblem(compiled)) continue;
    for (const { base, parameter } of compiled) {
      const list = custom.get(base) ?? [];
      // Two stored definitions of one code on one type (written concurrently): the first by id wins.
      if (!list.some((p) => p.code === parameter.code)) list.push(parameter);
      custom.set(base, list);
    }
  }
  return new SearchParameterSnapshot(`${rows.length}:${versions}`, custom);
}

export class SearchParameterRegistry {
  private published = new SearchParameterSnapshot('', new Map());
  /** Transactions that wrote a SearchParameter: what they see is theirs until they commit. */
  private readonly writers = new WeakSet<Queryable>();
  private readonly privateSnapshots = new WeakMap<Queryable, SearchParameterSnapshot>();

  /** @param db - the hub's database, for reads outside a transaction (searches, /metadata). */
  constructor(private readonly db: Queryable) {}

  /** Loads the stored custom parameters (at open, so a broken database fails the start). */
  async load(): Promise<void> {
    await this.current();
  }

  /** The parameters as committed now: for a search, or the CapabilityStatement. */
  current(): Promise<SearchParameterLookup> {
    return this.resolve(this.db, false);
  }

  /**
   * The parameters as the transaction `tx` sees them, for indexing a write made in it.
   * @param stamp - searchParameterStampSql as just read in `tx`, if the caller has it.
   */
  inTransaction(tx: Queryable, stamp?: string): Promise<SearchParameterLookup> {
    return this.resolve(tx, this.writers.has(tx), stamp);
  }

  /**
   * Checks a SearchParameter about to be stored in `tx` (null: being deleted) and notes that
   * `tx` now sees definitions nobody else may use yet. Refuses, with 422 naming the element,
   * an active definition that could not be indexed: bad FHIRPath, a type without an index,
   * a code some base type already has.
   */
  async admit(tx: Queryable, definition: SearchParameter | null): Promise<void> {
    this.writers.add(tx);
    if (!definition) return;
    const compiled = compileSearchParameter(definition);
    if (isProblem(compiled)) throw errorAt('LNG_UNPROCESSABLE', `SearchParameter: ${compiled.message}`, compiled.element);
    if (compiled.length === 0) return;
    const { rows } = await tx.query<{ id: string; content: SearchParameter }>(
      `select id, content from resource
        where resource_type = 'SearchParameter' and not deleted and id <> $1
          and content->>'code' = $2 and content->>'status' = 'active'`,
      [definition.id ?? '', definition.code],
    );
    const bases = new Set<string>(definition.base ?? []);
    const other = rows.find((r) => (r.content.base ?? []).some((base) => bases.has(base)));
    if (other) {
      throw errorAt('LNG_UNPROCESSABLE', `SearchParameter: code ${definition.code} is already defined by SearchParameter/${other.id} on the same base`, 'SearchParameter.code');
    }
  }

  private async resolve(q: Queryable, isWriter: boolean, knownStamp?: string): Promise<SearchParameterSnapshot> {
    const stamp = knownStamp ?? (await readStamp(q));
    const known = isWriter ? this.privateSnapshots.get(q) : this.published;
    if (known?.stamp === stamp) return known;
    const snapshot = await loadSnapshot(q);
    if (isWriter) this.privateSnapshots.set(q, snapshot);
    else this.published = snapshot;
    return snapshot;
  }
}
