// A very small XML writer: elements are plain data, text and attribute values are always escaped, so no input can
// close a tag or inject markup. Output is UTF-8 text with two-space indentation.

/** An element: name, attributes, children (elements or one text). `undefined` children are skipped. */
export interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  children?: (XmlElement | undefined)[] | string;
}

/** Element helper: `el('Nm', 'Acme')`, `el('Amt', [el('InstdAmt', { Ccy: 'EUR' }, '1.00')])`. */
export function el(
  name: string,
  attrsOrChildren?: Record<string, string> | (XmlElement | undefined)[] | string,
  children?: (XmlElement | undefined)[] | string,
): XmlElement {
  if (typeof attrsOrChildren === 'string' || Array.isArray(attrsOrChildren)) return { name, children: attrsOrChildren };
  return { name, attrs: attrsOrChildren, children };
}

/** Escape text for element content and attribute values; refuses characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) throw new RangeError('Text contains characters XML cannot carry');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function write(node: XmlElement, depth: number, out: string[]): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(node.name)) throw new RangeError(`Bad element name ${node.name}`);
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const children = node.children;
  if (children === undefined || (Array.isArray(children) && children.every((c) => c === undefined))) {
    out.push(`${pad}<${node.name}${attrs}/>`);
  } else if (typeof children === 'string') {
    out.push(`${pad}<${node.name}${attrs}>${escapeXml(children)}</${node.name}>`);
  } else {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const child of children) if (child) write(child, depth + 1, out);
    out.push(`${pad}</${node.name}>`);
  }
}

/** Serialise a document with the XML declaration. */
export function toXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, 0, out);
  return `${out.join('\n')}\n`;
}
