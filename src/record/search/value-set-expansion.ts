/**
 * Token `:in` and `:not-in` (http://hl7.org/fhir/R4/search.html#modifiers): the value names a
 * ValueSet, by canonical URL (`url` or `url|version`) or as `ValueSet/id`, and the coding must
 * (or must not) be one of its codes. The ValueSet must be stored in the record; it is expanded
 * here, before the SQL is built, from
 * - `expansion.contains` when the ValueSet carries an expansion, else
 * - `compose`: each include is its listed concepts, or every code of its system when it lists
 *   none, intersected with the ValueSets it imports; the includes' union, less the excludes
 *   (http://hl7.org/fhir/R4/valueset.html#compositions).
 * Imported ValueSets are expanded one level deep (theirs must not import again). Filters need
 * a terminology server and are refused, as is a ValueSet not in the record: 400 naming the
 * parameter and the reason.
 */
import type { ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt } from '../../platform/errors.ts';
import type { SearchFilter, SearchRequest } from './search-request.ts';
import type { SqlBuilder } from './sql-builder.ts';
import { splitPipes } from './search-values.ts';

/**
 * A set of codes: listed (system, code) pairs, plus whole code systems less some codes. The
 * system '' stands for codes listed without one.
 */
export interface CodeSet {
  codes: Map<string, Set<string>>;
  /** Systems included whole, each with the codes excluded from it. */
  whole: Map<string, Set<string>>;
}

function emptySet(): CodeSet {
  return { codes: new Map(), whole: new Map() };
}

function addCode(set: CodeSet, system: string, code: string): void {
  if (set.whole.has(system) && !set.whole.get(system)!.has(code)) return; // already covered
  const codes = set.codes.get(system) ?? new Set<string>();
  codes.add(code);
  set.codes.set(system, codes);
}

export function hasCode(set: CodeSet, system: string, code: string): boolean {
  const excluded = set.whole.get(system);
  return set.codes.get(system)?.has(code) === true || (excluded !== undefined && !excluded.has(code));
}

function* pairs(set: CodeSet): Generator<[string, string]> {
  for (const [system, codes] of set.codes) for (const code of codes) yield [system, code];
}

export function union(a: CodeSet, b: CodeSet): CodeSet {
  const result = emptySet();
  for (const system of new Set([...a.whole.keys(), ...b.whole.keys()])) {
    const ea = a.whole.get(system);
    const eb = b.whole.get(system);
    // excluded from the union: excluded from every side that includes the system whole, and
    // not listed by the other side
    const excluded = ea && eb ? [...ea].filter((c) => eb.has(c)) : [...(ea ?? eb)!].filter((c) => !(ea ? hasCode(b, system, c) : hasCode(a, system, c)));
    result.whole.set(system, new Set(excluded));
  }
  for (const [system, code] of [...pairs(a), ...pairs(b)]) addCode(result, system, code);
  return result;
}

export function intersect(a: CodeSet, b: CodeSet): CodeSet {
  const result = emptySet();
  for (const [system, ea] of a.whole) {
    const eb = b.whole.get(system);
    if (eb) result.whole.set(system, new Set([...ea, ...eb]));
  }
  for (const [system, code] of pairs(a)) if (hasCode(b, system, code)) addCode(result, system, code);
  for (const [system, code] of pairs(b)) if (hasCode(a, system, code)) addCode(result, system, code);
  return result;
}

export function subtract(a: CodeSet, b: CodeSet): CodeSet {
  const result = emptySet();
  for (const [system, ea] of a.whole) {
    const eb = b.whole.get(system);
    if (!eb) {
      result.whole.set(system, new Set([...ea, ...(b.codes.get(system) ?? [])]));
      continue;
    }
    // b removes the whole system but the codes it keeps out of its own removal
    for (const code of eb) if (!ea.has(code)) addCode(result, system, code);
  }
  for (const [system, code] of pairs(a)) if (!hasCode(b, system, code)) addCode(result, system, code);
  return result;
}

/** Reads stored ValueSets; the search service passes its database. */
async function findValueSet(db: Queryable, reference: string): Promise<ValueSet | undefined> {
  const byId = /^ValueSet\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (byId) {
    const { rows } = await db.query<{ content: ValueSet }>(
      `select content from resource where resource_type = 'ValueSet' and id = $1 and not deleted`,
      [byId[1]],
    );
    return rows[0]?.content;
  }
  const [url = '', version] = splitPipes(reference, 2);
  // ValueSets are few next to clinical resources: a range over the type's primary key.
  const { rows } = await db.query<{ content: ValueSet }>(
    `select content from resource
      where resource_type = 'ValueSet' and not deleted and content->>'url' = $1 and ($2::text is null or content->>'version' = $2::text)
      order by last_updated desc limit 1`,
    [url, version ?? null],
  );
  return rows[0]?.content;
}

class Expander {
  constructor(
    private readonly db: Queryable,
    private readonly parameter: string,
  ) {}

  private refuse(message: string): never {
    throw errorAt('LNG_BAD_REQUEST', `${this.parameter}: ${message}`, this.parameter);
  }

  async expand(reference: string, depth = 0): Promise<CodeSet> {
    const valueSet = await findValueSet(this.db, reference);
    if (!valueSet) this.refuse(`ValueSet ${reference} is not stored in the record`);
    if (valueSet.expansion?.contains) return fromContains(valueSet.expansion.contains);
    const compose = valueSet.compose;
    if (!compose?.include?.length) this.refuse(`ValueSet ${reference} has neither an expansion nor compose.include`);
    let included = emptySet();
    for (const include of compose.include) included = union(included, await this.part(reference, include, depth));
    let excluded = emptySet();
    for (const exclude of compose.exclude ?? []) excluded = union(excluded, await this.part(reference, exclude, depth));
    return subtract(included, excluded);
  }

  /** One include or exclude: its system's codes (listed or all), within every ValueSet it imports. */
  private async part(reference: string, include: ValueSetComposeInclude, depth: number): Promise<CodeSet> {
    if (include.filter?.length) {
      this.refuse(`ValueSet ${reference} cannot be expanded here: it selects codes with a filter (only listed concepts, whole code systems and imported ValueSets are supported)`);
    }
    const sets: CodeSet[] = [];
    if (include.system) {
      const set = emptySet();
      if (include.concept?.length) for (const c of include.concept) addCode(set, include.system, c.code);
      else set.whole.set(include.system, new Set());
      sets.push(set);
    }
    for (const imported of include.valueSet ?? []) {
      if (depth >= 1) this.refuse(`ValueSet ${reference} imports ${imported}: imports are followed one level deep only`);
      sets.push(await this.expand(imported, depth + 1));
    }
    const [first, ...rest] = sets;
    if (!first) this.refuse(`ValueSet ${reference} has an include with neither a system nor a valueSet`);
    return rest.reduce(intersect, first);
  }
}

function fromContains(contains: readonly ValueSetExpansionContains[], set = emptySet()): CodeSet {
  for (const entry of contains) {
    if (entry.code) addCode(set, entry.system ?? '', entry.code);
    if (entry.contains) fromContains(entry.contains, set);
  }
  return set;
}

/** The codes each `:in` / `:not-in` value of a filter names, by value as written. */
async function expandFilter(db: Queryable, filter: SearchFilter): Promise<ReadonlyMap<string, CodeSet>> {
  const expander = new Expander(db, filter.name);
  const sets = new Map<string, CodeSet>();
  for (const value of filter.values) sets.set(value, await expander.expand(value));
  return sets;
}

/** Attaches the expanded ValueSets to the request's `:in` / `:not-in` filters (search-service.ts). */
export async function expandValueSetFilters(db: Queryable, request: SearchRequest): Promise<void> {
  for (const filter of request.filters) {
    if (filter.type === 'token' && (filter.modifier === 'in' || filter.modifier === 'not-in')) filter.valueSets = await expandFilter(db, filter);
  }
}

/**
 * Whether the token row `x` is in the set: a listed (system, code) pair, or a code of a system
 * included whole and not excluded from it. The pairs travel as two parallel text[] parameters.
 */
export function inCodeSetTest(b: SqlBuilder, set: CodeSet): string {
  const listed = [...pairs(set)];
  const tests: string[] = [];
  const withSystem = listed.filter(([system]) => system !== '');
  if (withSystem.length > 0) {
    const systems = b.param(withSystem.map(([system]) => system), 'text[]');
    const codes = b.param(withSystem.map(([, code]) => code), 'text[]');
    tests.push(`(x.system, x.value) in (select v.system, v.code from unnest(${systems}, ${codes}) as v(system, code))`);
  }
  const withoutSystem = listed.filter(([system]) => system === '').map(([, code]) => code);
  if (withoutSystem.length > 0) tests.push(`(x.system is null and x.value = any(${b.param(withoutSystem, 'text[]')}))`);
  const excluded = [...set.whole].flatMap(([system, codes]) => [...codes].map((code) => [system, code] as const));
  if (set.whole.size > 0) {
    const whole = `x.system = any(${b.param([...set.whole.keys()], 'text[]')})`;
    tests.push(
      excluded.length === 0
        ? whole
        : `(${whole} and (x.system, x.value) not in (select e.system, e.code from unnest(${b.param(excluded.map(([s]) => s), 'text[]')}, ${b.param(excluded.map(([, c]) => c), 'text[]')}) as e(system, code)))`,
    );
  }
  return tests.length === 0 ? 'false' : `(${tests.join(' or ')})`;
}
