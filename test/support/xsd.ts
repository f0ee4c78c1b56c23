import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

// XSD validation with libxml2 compiled to WebAssembly (no native tool needed, so it runs the same in CI).

export type SepaSchema = 'pain.008.001.02' | 'pain.008.001.08' | 'pain.001.001.03' | 'pain.001.001.09';

const cache = new Map<SepaSchema, string>();
function schemaText(name: SepaSchema): string {
  let text = cache.get(name);
  if (!text) {
    text = readFileSync(fileURLToPath(new URL(`../fixtures/iso20022/${name}.xsd`, import.meta.url)), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Validate XML against one of the vendored ISO 20022 schemas; returns libxml2's error messages ([] = valid). */
export async function xsdErrors(xml: string, schema: SepaSchema): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'file.xml', contents: xml }],
    schema: [{ fileName: `${schema}.xsd`, contents: schemaText(schema) }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
