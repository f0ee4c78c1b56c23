// Sequence type of a collection from the mandate's history (SDD Core rulebook 2023 v1.0, as since rulebook 9.0 of
// 2016: FRST is optional and a first collection may go as RCUR; OOFF only for one-off mandates; FNAL marks the last
// collection of a recurrent mandate, after which it ends).

/** FRST first of a recurrent mandate, RCUR the following ones, OOFF a one-off mandate, FNAL the last one. */
export type SequenceType = 'FRST' | 'RCUR' | 'OOFF' | 'FNAL';

/** What the sequence type depends on. */
export interface SequenceInput {
  /** Recurrent or one-off mandate. */
  kind: 'recurrent' | 'one-off';
  /** Collections already sent under this mandate (not counting rejected-before-settlement ones). */
  previousCollections: number;
  /** This collection is the last one (the mandate ends with it). */
  final?: boolean;
  /** How to send the first collection of a recurrent mandate; the tenant's bank decides (default FRST). */
  firstAs?: 'FRST' | 'RCUR';
}

/** The sequence type; throws RangeError for a second collection under a one-off mandate. */
export function sequenceType(input: SequenceInput): SequenceType {
  if (input.kind === 'one-off') {
    if (input.previousCollections > 0) throw new RangeError('A one-off mandate allows a single collection');
    return 'OOFF';
  }
  if (input.final) return 'FNAL';
  if (input.previousCollections === 0) return input.firstAs ?? 'FRST';
  return 'RCUR';
}
