/**
 * Many searches as one statement, each answer row tagged with the index `k` of its search.
 *
 * A batch's conditional lookups (an import's `Patient?identifier=system|value`, its
 * `Encounter?identifier=...`, the Provenance of each message) are a few shapes asked many
 * times over with different values. As a union of one subquery per lookup, PostgreSQL parses
 * and plans every subquery: on a 2,000-person demo load a lookup of 164 criteria took ~50 ms,
 * two thirds of it planning (EXPLAIN ANALYZE: planning 33 ms, execution 16 ms), and the
 * lookups were the largest statement cost of the import (19 s of 63 s of database time).
 * Here the searches of one shape share one subquery: the values that differ between them
 * become columns of an `unnest`, joined laterally, so the shape is planned once whatever the
 * number of lookups.
 *
 * Only a value compared for equality with a text column of the index tables may vary within
 * a shape (an identifier's system or value, a reference's target): such a comparison means
 * the same with a text column as with the parameter it replaces. A shape whose searches differ
 * in any other value (a date, a number, a list) keeps a subquery per search.
 */
import type { Statement } from './search-sql.ts';
import { SqlBuilder } from './sql-builder.ts';

/** A placeholder `$n` and the comparison before it: `x.value = $2`. */
const placeholder = /\$(\d+)/g;
const textEquality = /(?:x\.(?:code|system|value|identifier_system|identifier_value|target_type|target_id|reference_text)|r\.(?:resource_type|id)) = $/;

/** The searches (each a statement selecting `id`) as one statement returning `{ k, id }` rows. */
export function batchLookupStatement(searches: readonly Statement[]): Statement {
  const b = new SqlBuilder();
  const parts: string[] = [];
  for (const [text, ks] of groupByText(searches)) {
    const values = ks.map((k) => searches[k]!.values);
    const varying = varyingPositions(values);
    if (ks.length > 1 && varying.every((p) => isTextEquality(text, p, values))) {
      parts.push(lateralPart(b, text, ks, values, new Set(varying)));
    } else {
      for (const k of ks) parts.push(`select ${k} as k, s.id from (${renumber(text, (p) => b.param(searches[k]!.values[p - 1]))}) s`);
    }
  }
  return { text: parts.join('\nunion all\n'), values: b.values };
}

function groupByText(searches: readonly Statement[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  searches.forEach((s, k) => {
    const group = groups.get(s.text);
    if (group) group.push(k);
    else groups.set(s.text, [k]);
  });
  return groups;
}

/** Positions (1-based, as `$n`) whose value is not the same in every search of the group. */
function varyingPositions(values: readonly unknown[][]): number[] {
  const first = values[0]!;
  return first.flatMap((v, i) => (values.every((other) => other[i] === v) ? [] : [i + 1]));
}

/** True when position `p` holds text in every search and appears only as `<text column> = $p`. */
function isTextEquality(text: string, p: number, values: readonly unknown[][]): boolean {
  if (!values.every((v) => typeof v[p - 1] === 'string')) return false;
  for (const m of text.matchAll(placeholder)) {
    if (Number(m[1]) === p && !textEquality.test(text.slice(Math.max(0, m.index - 40), m.index))) return false;
  }
  return true;
}

function lateralPart(b: SqlBuilder, text: string, ks: readonly number[], values: readonly unknown[][], varying: ReadonlySet<number>): string {
  const columns = ['k', ...[...varying].map((p) => `v${p}`)];
  const arrays = [b.param(ks, 'integer[]'), ...[...varying].map((p) => b.param(values.map((v) => v[p - 1]), 'text[]'))];
  const inner = renumber(text, (p) => (varying.has(p) ? `m.v${p}` : b.param(values[0]![p - 1])));
  return `select m.k, s.id from unnest(${arrays.join(', ')}) as m(${columns.join(', ')}) cross join lateral (${inner}) s`;
}

/** The text with each `$n` replaced: its parameters numbered into the combined statement. */
function renumber(text: string, replace: (p: number) => string): string {
  return text.replace(placeholder, (_, n: string) => replace(Number(n)));
}
