import type { Locale } from '../core/schemas';
import type { BillDocumentType, TaxCategory } from './render-model';

// English is the reference catalog: es and ca must have exactly these keys (the type checks it).
// Placeholders are `{name}`. Wording follows RD 1619/2012 (es) and its official Catalan version (ca).
const en = {
  title: {
    invoice: 'Invoice',
    fee: 'Membership fee',
    amendment: 'Corrective invoice',
    'fee-amendment': 'Corrective membership fee',
    quote: 'Quote',
  } satisfies Record<BillDocumentType, string>,
  draft: 'Draft – not a valid bill',
  number: 'Number',
  series: 'Series',
  reference: 'Reference',
  issueDate: 'Issue date',
  operationDate: 'Date of supply',
  dueDate: 'Due date',
  validUntil: 'Valid until',
  issuer: 'From',
  customer: 'Bill to',
  taxId: 'Tax ID',
  customerReference: 'Customer ref.',
  description: 'Description',
  period: 'Period',
  quantity: 'Qty',
  unitPrice: 'Unit price',
  amount: 'Amount',
  discount: 'Discount',
  vat: 'VAT',
  taxBreakdown: 'Tax breakdown',
  rate: 'Rate',
  base: 'Taxable base',
  taxAmount: 'Tax',
  subtotal: 'Taxable base',
  total: 'Total',
  totalTax: 'Total {tax}',
  inEur: 'Amounts in EUR (exchange rate {rate} EUR per {currency})',
  taxInEur: '{tax} in EUR',
  baseInEur: 'Taxable base in EUR',
  totalInEur: 'Total in EUR',
  amends: 'Corrects invoice {number} of {date}',
  amendsFee: 'Corrects membership fee {number} of {date}',
  cause: 'Reason for correction',
  mode: {
    differences: 'Correction by differences',
    substitution: 'Correction by substitution',
  },
  payment: 'Payment',
  iban: 'IBAN',
  bic: 'BIC',
  notes: 'Notes',
  page: 'Page {page} of {pages}',
  category: {
    S: '',
    Z: 'Zero rated',
    E: 'Exempt',
    AE: 'Reverse charge',
    K: 'Intra-EU supply',
    G: 'Export',
    O: 'Not subject',
  } satisfies Record<TaxCategory, string>,
  months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

/** The shape of a document catalog. */
export type DocumentMessages = typeof en;

const es: DocumentMessages = {
  title: {
    invoice: 'Factura',
    fee: 'Cuota de socio',
    amendment: 'Factura rectificativa',
    'fee-amendment': 'Cuota rectificativa',
    quote: 'Presupuesto',
  },
  draft: 'Borrador – sin validez como factura',
  number: 'Número',
  series: 'Serie',
  reference: 'Referencia',
  issueDate: 'Fecha de expedición',
  operationDate: 'Fecha de operación',
  dueDate: 'Vencimiento',
  validUntil: 'Válido hasta',
  issuer: 'Emisor',
  customer: 'Cliente',
  taxId: 'NIF',
  customerReference: 'Ref. cliente',
  description: 'Descripción',
  period: 'Periodo',
  quantity: 'Cant.',
  unitPrice: 'Precio unitario',
  amount: 'Importe',
  discount: 'Descuento',
  vat: 'IVA',
  taxBreakdown: 'Desglose de impuestos',
  rate: 'Tipo',
  base: 'Base imponible',
  taxAmount: 'Cuota',
  subtotal: 'Base imponible',
  total: 'Total',
  totalTax: 'Cuota de {tax}',
  inEur: 'Importes en EUR (tipo de cambio {rate} EUR por {currency})',
  taxInEur: 'Cuota de {tax} en EUR',
  baseInEur: 'Base imponible en EUR',
  totalInEur: 'Total en EUR',
  amends: 'Rectifica la factura {number} de {date}',
  amendsFee: 'Rectifica la cuota {number} de {date}',
  cause: 'Motivo de la rectificación',
  mode: {
    differences: 'Rectificación por diferencias',
    substitution: 'Rectificación por sustitución',
  },
  payment: 'Forma de pago',
  iban: 'IBAN',
  bic: 'BIC',
  notes: 'Observaciones',
  page: 'Página {page} de {pages}',
  category: {
    S: '',
    Z: 'Tipo cero',
    E: 'Exento',
    AE: 'Inversión del sujeto pasivo',
    K: 'Entrega intracomunitaria',
    G: 'Exportación',
    O: 'No sujeto',
  },
  months: ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'],
};

const ca: DocumentMessages = {
  title: {
    invoice: 'Factura',
    fee: 'Quota de soci',
    amendment: 'Factura rectificativa',
    'fee-amendment': 'Quota rectificativa',
    quote: 'Pressupost',
  },
  draft: 'Esborrany – sense validesa com a factura',
  number: 'Número',
  series: 'Sèrie',
  reference: 'Referència',
  issueDate: "Data d'expedició",
  operationDate: "Data de l'operació",
  dueDate: 'Venciment',
  validUntil: 'Vàlid fins al',
  issuer: 'Emissor',
  customer: 'Client',
  taxId: 'NIF',
  customerReference: 'Ref. client',
  description: 'Descripció',
  period: 'Període',
  quantity: 'Quant.',
  unitPrice: 'Preu unitari',
  amount: 'Import',
  discount: 'Descompte',
  vat: 'IVA',
  taxBreakdown: "Desglossament d'impostos",
  rate: 'Tipus',
  base: 'Base imposable',
  taxAmount: 'Quota',
  subtotal: 'Base imposable',
  total: 'Total',
  totalTax: 'Quota d’{tax}',
  inEur: 'Imports en EUR (tipus de canvi {rate} EUR per {currency})',
  taxInEur: 'Quota d’{tax} en EUR',
  baseInEur: 'Base imposable en EUR',
  totalInEur: 'Total en EUR',
  amends: 'Rectifica la factura {number} del {date}',
  amendsFee: 'Rectifica la quota {number} del {date}',
  cause: 'Motiu de la rectificació',
  mode: {
    differences: 'Rectificació per diferències',
    substitution: 'Rectificació per substitució',
  },
  payment: 'Forma de pagament',
  iban: 'IBAN',
  bic: 'BIC',
  notes: 'Observacions',
  page: 'Pàgina {page} de {pages}',
  category: {
    S: '',
    Z: 'Tipus zero',
    E: 'Exempt',
    AE: 'Inversió del subjecte passiu',
    K: 'Lliurament intracomunitari',
    G: 'Exportació',
    O: 'No subjecte',
  },
  months: ['gen', 'febr', 'març', 'abr', 'maig', 'juny', 'jul', 'ag', 'set', 'oct', 'nov', 'des'],
};

const CATALOGS: Record<Locale, DocumentMessages> = { en, es, ca };

/** The document catalog for a locale. */
export function documentMessages(locale: Locale): DocumentMessages {
  return CATALOGS[locale];
}

/** The printed title of a document type, e.g. `documentTitle('amendment', 'es')` → "Factura rectificativa". */
export function documentTitle(type: BillDocumentType, locale: Locale): string {
  return CATALOGS[locale].title[type];
}

/** Fill `{name}` placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
