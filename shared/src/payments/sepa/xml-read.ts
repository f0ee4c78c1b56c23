import { XMLParser, XMLValidator } from 'fast-xml-parser';

// Reading bank files: fast-xml-parser into a uniform tree where every element is an array (so one and many look the
// same), values stay strings (amounts are never turned into JS numbers) and namespace prefixes are dropped. The
// parser resolves no external entities and no DTDs.

/** A parsed element: child elements by name (always arrays), `#text`, attributes as `@_name`. */
export type XmlNode = { [name: string]: XmlNode[] | string | undefined; '#text'?: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  textNodeName: '#text',
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
});

/** Parse XML text; throws RangeError with the parser's reason when it is not well-formed. */
export function readXml(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new RangeError(`Not well-formed XML (line ${valid.err.line}): ${valid.err.msg}`);
  return parser.parse(xml) as XmlNode;
}

/** Child elements named `name` (empty when none). */
export function all(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? ({ '#text': v } as XmlNode) : v));
  return [];
}

/** The first element along a path of names, e.g. `one(tx, 'PmtId', 'EndToEndId')`. */
export function one(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = all(current, name)[0];
  return current;
}

/** Text of the element along a path (undefined when absent or empty). */
export function text(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const target = one(node, ...path);
  if (target === undefined) return undefined;
  const value = target['#text'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An attribute of an element. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The root element's name and node (the one child of the document that is not the XML declaration). */
export function rootOf(doc: XmlNode): { name: string; node: XmlNode } {
  const name = Object.keys(doc).find((k) => !k.startsWith('?') && k !== '#text');
  if (!name) throw new RangeError('The file has no root element');
  return { name, node: all(doc, name)[0]! };
}

/** Every text node and attribute value in a subtree, with its element path (for charset checks). */
export function* texts(node: XmlNode, path = ''): Generator<{ path: string; value: string }> {
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined) continue;
    if (key === '#text') yield { path, value: value as string };
    else if (key.startsWith('@_')) {
      if (key !== '@_xmlns' && !key.startsWith('@_xmlns:') && key !== '@_xsi:schemaLocation')
        yield { path: `${path}@${key.slice(2)}`, value: value as string };
    } else if (Array.isArray(value)) {
      for (const [i, child] of value.entries()) {
        if (typeof child === 'string') yield { path: `${path}/${key}`, value: child };
        else yield* texts(child, `${path}/${key}${value.length > 1 ? `[${i}]` : ''}`);
      }
    }
  }
}
