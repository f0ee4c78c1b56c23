import { fixedClock } from '@consort/shared/core/clock';
import { todayIn } from '@consort/shared/core/today';
import { collectionDate, earliestCollectionDate } from '@consort/shared/payments/sepa/calendar';
import { writePain008 } from '@consort/shared/payments/sepa/pain008';

// Run in a child process with some TZ (test/unit/payments/sepa/time-zone.test.ts): prints what a batch created at
// 23:30 UTC on 30 Nov 2026 for a Madrid tenant (already 1 Dec there) would contain. Nothing may depend on the TZ.
const clock = fixedClock('2026-11-30T23:30:00Z');
const today = todayIn(clock, 'Europe/Madrid');
const date = collectionDate('2026-12-04', earliestCollectionDate(today, 2));
const { xml } = writePain008({
  version: '08',
  messageId: 'TZ-PROBE',
  createdAt: clock.now().toISOString(),
  initiatingParty: 'Probe',
  creditor: { name: 'Probe', iban: 'ES9121000418450200051332', creditorId: 'ES37000G12345674' },
  debits: [
    {
      endToEndId: 'TZ-1',
      amount: '1.00',
      currency: 'EUR',
      scheme: 'CORE',
      sequenceType: 'RCUR',
      collectionDate: date,
      mandate: { id: 'M-1', signedOn: '2026-01-01' },
      debtor: { name: 'Debtor', iban: 'DE89370400440532013000' },
    },
  ],
});
process.stdout.write(JSON.stringify({ tz: process.env.TZ, localHour: new Date(clock.now()).getHours(), today, date, xml }));
