/**
 * The parts of ELM (CQL's compiled form, https://cql.hl7.org/elm.html) this folder reads:
 * a library's identifier, includes, define statements and the annotation that carries each
 * statement's CQL source. Everything else is passed to cql-execution untouched.
 */

/** One ELM expression node; only the fields we inspect are named. */
export interface ElmNode {
  type: string;
  localId?: string;
  name?: string;
  libraryName?: string;
  operand?: ElmNode | ElmNode[];
  [key: string]: unknown;
}

/** An annotation source node (cql-to-elm EnableAnnotations): `r` is the localId it covers. */
interface ElmAnnotationSource {
  r?: string;
  value?: string[];
  s?: ElmAnnotationSource[];
}

export interface ElmDefine {
  name: string;
  context?: string;
  localId?: string;
  expression: ElmNode;
  annotation?: { type?: string; s?: ElmAnnotationSource }[];
}

export interface ElmLibrary {
  library: {
    identifier: { id: string; version?: string; system?: string };
    includes?: { def?: { localIdentifier: string; path: string; version?: string }[] };
    statements?: { def?: ElmDefine[] };
    [key: string]: unknown;
  };
}

/** Library id-version, the way the content names its files (FHIRHelpers-4.4.000). */
export function elmLibraryKey(elm: ElmLibrary): string {
  const { id, version } = elm.library.identifier;
  return version ? `${id}-${version}` : id;
}

/** The define statements of a library by name. */
export function elmDefines(elm: ElmLibrary): Map<string, ElmDefine> {
  return new Map((elm.library.statements?.def ?? []).map((def) => [def.name, def]));
}

/**
 * CQL source text of every annotated node (localId → text), whitespace collapsed. Built
 * from the annotations cql-to-elm writes with EnableAnnotations (the content keeps them).
 */
export function elmSourceText(elm: ElmLibrary): Map<string, string> {
  const texts = new Map<string, string>();
  const collect = (node: ElmAnnotationSource): string => {
    let text = (node.value ?? []).join('');
    for (const child of node.s ?? []) text += collect(child);
    // Children finish first, so the outermost node of a localId (its full text) is set last.
    if (node.r) texts.set(node.r, text);
    return text;
  };
  for (const def of elm.library.statements?.def ?? []) {
    for (const annotation of def.annotation ?? []) if (annotation.s) collect(annotation.s);
  }
  for (const [id, text] of texts) texts.set(id, text.replace(/\s+/g, ' ').trim());
  return texts;
}
