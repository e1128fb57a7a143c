/**
 * Why a patient is (or is not) in a population: the define statements whose values decided
 * it, read from the ELM. A population define is walked as a boolean formula over named
 * criteria (ExpressionRef) and anonymous clauses (anything else with a localId):
 * - `A and B` false because of the false operands; true because of all of them;
 * - `A or B` true because of the true operands; false because of all of them;
 * - `not A`, `exists A`, `A is null`, `A is not null`: decided by A.
 * A named criterion is explained in turn by its own define, so a chain of defines reads as a
 * tree ("Numerator" false ← "Has Systolic Blood Pressure Less Than 140" false ← …).
 * Values come from the engine: define results by name, clause results by localId (recorded
 * by cql-execution when the ELM keeps its localIds, as this content does).
 */
import type { ElmDefine, ElmNode } from './elm.ts';

export interface Criterion {
  /** The define statement's name, for a named criterion. */
  define?: string;
  /** The CQL source of the criterion (a define's body, or an anonymous clause). */
  cql?: string;
  /** Whether it held for this patient (a non-empty list or non-null value counts as true). */
  value: boolean;
  /** The value itself when it is a scalar (a date, a number, a Quantity, or null). */
  display?: string;
  /** The criteria one level down that decided this value. */
  because: Criterion[];
}

/** What the walker reads: the main library's defines, CQL text and this patient's results. */
export interface CriteriaContext {
  defines: ReadonlyMap<string, ElmDefine>;
  sourceText: ReadonlyMap<string, string>;
  /** Define name → value (cql-execution patientResults). */
  defineValues: Readonly<Record<string, unknown>>;
  /** localId → value for clauses of the main library (cql-execution localIdPatientResultsMap). */
  clauseValues: Readonly<Record<string, unknown>>;
}

/** CQL truth for explanation purposes: true, a non-empty list, or any other non-null value. */
export function holds(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== false;
}

const maxDepth = 6;
const maxCqlLength = 240;

/** Explains one define statement of the main library for one patient. */
export function explainDefine(name: string, context: CriteriaContext): Criterion {
  return namedCriterion(name, context, 0, new Set());
}

function namedCriterion(name: string, context: CriteriaContext, depth: number, path: Set<string>): Criterion {
  const raw = context.defineValues[name];
  const value = holds(raw);
  const shown = display(raw);
  const def = context.defines.get(name);
  const cql = def?.expression.localId ? context.sourceText.get(def.expression.localId) : undefined;
  const criterion: Criterion = {
    define: name,
    value,
    ...(shown !== undefined ? { display: shown } : {}),
    ...(cql ? { cql: shorten(cql) } : {}),
    because: [],
  };
  if (!def || depth >= maxDepth || path.has(name)) return criterion;
  const inner = walk(def.expression, context, depth + 1, new Set([...path, name]));
  // Only reasons consistent with the recorded value explain it. Below the top an anonymous
  // clause repeats the define's own CQL, so it gives way to the defines it reads.
  if (inner.value === value) {
    criterion.because = depth === 0 ? inner.criteria : distinct(inner.criteria.flatMap((c) => (c.define === undefined ? c.because : [c])));
  }
  return criterion;
}

interface Walked {
  value: boolean | undefined;
  criteria: Criterion[];
}

function operands(node: ElmNode): ElmNode[] {
  if (Array.isArray(node.operand)) return node.operand;
  return node.operand ? [node.operand] : [];
}

function walk(node: ElmNode, context: CriteriaContext, depth: number, path: Set<string>): Walked {
  switch (node.type) {
    case 'ExpressionRef':
      if (node.name && !node.libraryName && context.defines.has(node.name)) {
        const criterion = namedCriterion(node.name, context, depth, path);
        return { value: criterion.value, criteria: [criterion] };
      }
      return clause(node, context, depth, path);
    case 'And':
    case 'Or': {
      const parts = operands(node).map((operand) => walk(operand, context, depth, path));
      return combine(node.type, parts);
    }
    case 'Not':
    case 'IsNull':
    case 'IsFalse': {
      const [operand] = operands(node);
      if (!operand) return clause(node, context, depth, path);
      const inner = walk(operand, context, depth, path);
      return { value: inner.value === undefined ? undefined : !inner.value, criteria: inner.criteria };
    }
    case 'Exists':
    case 'IsTrue': {
      const [operand] = operands(node);
      return operand ? walk(operand, context, depth, path) : clause(node, context, depth, path);
    }
    default:
      return clause(node, context, depth, path);
  }
}

/**
 * An anonymous clause: its recorded value, labelled by its CQL text. Defines it takes as
 * direct operands are its inputs (`"Lowest Systolic Reading…" < 140 'mm[Hg]'` is explained by
 * the reading, shown with its value).
 */
function clause(node: ElmNode, context: CriteriaContext, depth: number, path: Set<string>): Walked {
  if (!node.localId || !(node.localId in context.clauseValues)) return { value: undefined, criteria: [] };
  const value = holds(context.clauseValues[node.localId]);
  const cql = context.sourceText.get(node.localId);
  const inputs = operands(node)
    .filter((operand) => operand.type === 'ExpressionRef' && operand.name && !operand.libraryName && context.defines.has(operand.name))
    .map((operand) => namedCriterion(operand.name as string, context, depth, path));
  return { value, criteria: [{ value, ...(cql ? { cql: shorten(cql) } : {}), because: inputs }] };
}

/** A scalar result as text (a Quantity prints as `150 'mm[Hg]'`); lists and resources are not shown. */
function display(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || Array.isArray(value)) return undefined;
  if (typeof value !== 'object') return String(value);
  const text = String(value);
  return text.startsWith('[object') ? undefined : text;
}

function combine(type: 'And' | 'Or', parts: Walked[]): Walked {
  // The deciding value: false for And, true for Or; one such operand decides.
  const decider = type === 'Or';
  const deciding = parts.filter((part) => part.value === decider);
  if (deciding.length > 0) return { value: decider, criteria: distinct(deciding.flatMap((part) => part.criteria)) };
  if (parts.some((part) => part.value === undefined)) return { value: undefined, criteria: [] };
  return { value: !decider, criteria: distinct(parts.flatMap((part) => part.criteria)) };
}

/** A define referenced from several branches (CMS2's age bands) is one reason, not several. */
function distinct(criteria: Criterion[]): Criterion[] {
  const seen = new Set<string>();
  return criteria.filter((c) => {
    const key = c.define ?? c.cql;
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function shorten(cql: string): string {
  return cql.length <= maxCqlLength ? cql : `${cql.slice(0, maxCqlLength - 1)}…`;
}
