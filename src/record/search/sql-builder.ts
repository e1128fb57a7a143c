/**
 * The one way search SQL takes a value: `param()` appends it to the parameter list and returns
 * its placeholder. Everything else in a search statement is text written in this folder, so
 * no request value ever becomes SQL text (STYLE.md C5).
 */

/** Casts the builder may attach to a placeholder; a closed list, so a cast cannot carry input. */
export type SqlCast = 'text' | 'text[]' | 'integer[]' | 'timestamptz' | 'numeric';

export class SqlBuilder {
  readonly values: unknown[] = [];

  /** Adds a value; returns its placeholder (`$3`, or `$3::numeric` with a cast). */
  param(value: unknown, cast?: SqlCast): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** `a or b or ...`, parenthesized; an empty list is false. */
export function anyOf(conditions: readonly string[]): string {
  return conditions.length === 0 ? 'false' : `(${conditions.join(' or ')})`;
}

/** `a and b and ...`, parenthesized; an empty list is true. */
export function allOf(conditions: readonly string[]): string {
  return conditions.length === 0 ? 'true' : `(${conditions.join(' and ')})`;
}

/** Escapes LIKE wildcards so a search value matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
