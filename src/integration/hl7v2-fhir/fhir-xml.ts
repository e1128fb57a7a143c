/**
 * A minimal reader of the FHIR XML format (http://hl7.org/fhir/R4/xml.html), enough to compare
 * the V2-to-FHIR IG's sample bundle (published as XML only) with our JSON: elements become
 * properties, `value` attributes their values, every element an array (the comparison walks
 * arrays and single values alike), narrative `div`s are skipped. Not a general XML parser: no
 * CDATA, comments or processing instructions beyond the XML declaration, which FHIR XML
 * instances do not use.
 */

type Node = Record<string, unknown>;

const TOKEN = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*"([^"]*)"/g;

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()]!;
  });
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(ATTRIBUTE)) out[m[1]!] = unescapeXml(m[2]!);
  return out;
}

/**
 * Parses a FHIR XML document into JSON-like objects. A resource element (capitalised name
 * under `resource`, or the root) gets `resourceType`.
 */
export function readFhirXml(xml: string): Node {
  const root: Node = {};
  const stack: { name: string; node: Node; skip: boolean }[] = [{ name: '#root', node: root, skip: false }];
  for (const m of xml.matchAll(TOKEN)) {
    const [, closing, name, attrs, selfClosing] = m as unknown as [string, string, string, string, string];
    const parent = stack[stack.length - 1]!;
    if (closing) {
      if (parent.name === name) stack.pop();
      continue;
    }
    const skip = parent.skip || name === 'div';
    const node: Node = {};
    const attr = attributes(attrs);
    if (!skip) {
      if (/^[A-Z]/.test(name)) node.resourceType = name;
      if (attr.url !== undefined) node.url = attr.url;
      const value = attr.value;
      // A resource element inside `resource` is the resource itself.
      if (/^[A-Z]/.test(name) && parent.name === 'resource') Object.assign(parent.node, node);
      else ((parent.node[name] ??= []) as unknown[]).push(value !== undefined && Object.keys(node).length === 0 && selfClosing ? value : node);
      if (value !== undefined && !selfClosing) node.value = value;
    }
    if (!selfClosing) stack.push({ name, node: /^[A-Z]/.test(name) && parent.name === 'resource' ? parent.node : node, skip });
  }
  const [top] = Object.values(root) as unknown[][];
  return (top?.[0] ?? {}) as Node;
}
