// SEPA direct debit and credit transfer files, pure (no I/O, no clock): see docs/payments.md "SEPA".
export * from './charset';
export * from './identifiers';
export * from './calendar';
export * from './sequence';
export * from './pain008';
export * from './pain001';
export * from './epc';
export * from './reports';
export * from './reasons';
