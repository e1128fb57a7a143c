/**
 * Shared walking of C-CDA entries: the clinical statement inside an `entry` or
 * `entryRelationship`, the nested statements by template, and the report of nested statements
 * a mapper did not use (C-CDA R2.1 Vol. 2 names every entry template by its templateId root;
 * extensions carry the version and are ignored here).
 */
import type { CcdaContext } from './ccda-context.ts';
import { child, children, templateIds, type CdaNode } from './cda-xml.ts';

const STATEMENTS = ['act', 'observation', 'substanceAdministration', 'supply', 'procedure', 'encounter', 'organizer', 'regionOfInterest', 'observationMedia'];

/** The clinical statement an entry, entryRelationship or component holds. */
export function statementOf(holder: CdaNode): CdaNode | undefined {
  return holder.children.find((c) => STATEMENTS.includes(c.tag));
}

/** Nested statements (entryRelationship / component) carrying one of the template roots. */
export function nested(node: CdaNode | undefined, ...roots: string[]): CdaNode[] {
  return [...children(node, 'entryRelationship'), ...children(node, 'component')]
    .map(statementOf)
    .filter((s): s is CdaNode => !!s && templateIds(s).some((t) => roots.includes(t)));
}

/** The value of the first nested statement with the template (Allergy Status, Severity …). */
export function nestedValue(node: CdaNode | undefined, ...roots: string[]): CdaNode | undefined {
  return child(nested(node, ...roots)[0], 'value');
}

/**
 * Reports the nested statements of `node` whose templates the mapper does not read, so
 * instructions, indications, supply orders, notes … are listed as unmapped rather than lost.
 */
export function reportUnread(ctx: CcdaContext, node: CdaNode, read: readonly string[], what: string): void {
  for (const holder of [...children(node, 'entryRelationship'), ...children(node, 'component')]) {
    const statement = statementOf(holder);
    if (!statement) continue;
    const ids = templateIds(statement);
    if (ids.some((t) => read.includes(t))) continue;
    ctx.report(holder.path, `${what}: nested ${statement.tag} ${ids.length ? `(template ${ids.join(', ')})` : '(no templateId)'} is not mapped`);
  }
}

/** The statusCode's code (`completed`, `active` …), lower-cased. */
export function statusOf(node: CdaNode | undefined): string | undefined {
  return child(node, 'statusCode')?.attr.code?.trim().toLowerCase();
}

/** Whether the statement is negated (negationInd="true": "no known …", "not given"). */
export const negated = (node: CdaNode | undefined): boolean => node?.attr.negationInd === 'true';

/** The xsi:type of a value (prefix removed by the parser, so `type`), upper-cased. */
export const xsiType = (node: CdaNode | undefined): string => (node?.attr.type ?? '').replace(/^.*:/, '').toUpperCase();
