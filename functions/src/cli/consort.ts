// The `consort` command line (bin/consort.mjs runs this file through tsx): `consort engine`, `consort bills`, `consort help`.
import { runBills } from './bills';
import { runEngine } from './engine';

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const HELP = `Usage: consort <command>

Commands:
  engine   Read one JSON request on stdin, write one JSON response on stdout.
           Exit 0 on success; on bad input {"error":{"code":"validation_failed",...}} and exit 1.
  bills    bills export [--year 2026] [--type invoice] --api URL --key KEY: a year's bills as CSV
           (consort bills help).
  help     Show this text.

Engine requests (amounts are strings; dates are YYYY-MM-DD):
  {"op":"rate","algorithm":"best"|"progressive"|"match","quantity":20,"nominalPrice":"10.00",
   "packs":[{"name":"Default","default":true,"combinable":true,"allowMultiple":false,"contracted":1,
             "rates":[{"from":1,"price":"15.00"},{"from":5,"price":"10.00"},{"from":10,"price":"5.00"}]}]}
    -> {"lines":[{"quantity":4,"price":"15.00"},...],"total":"165.00"}
  {"op":"billingPoint","billingPeriod":"once"|"monthly"|"quarterly"|"half-yearly"|"annual",
   "billingPoint":"fixed"|"on-register","paymentStyle":"prepay"|"postpay","date":"2024-03-15",
   "registeredOn":"2023-06-10","cancelledOn":null,"onCancel":"nothing"|"discount"|"compensate"|"refund",
   "fixedMonth":1,"fixedDay":1}
    -> {"billingPoint":"2025-01-01"}
  {"op":"size","billingPeriod":"annual","pricingPeriod":"billing"|"monthly"|"annual",
   "start":"2024-03-15","end":"2025-01-01"}
    -> {"size":"0.80"}
  {"op":"pricingSlots","pricingPeriod":"monthly"|"annual","billingPoint":"fixed"|"on-register",
   "start":"2024-03-15","end":"2024-06-01"}
    -> {"slots":[["2024-03-01","2024-04-01"],...]}

Example: echo '{"op":"size","billingPeriod":"monthly","pricingPeriod":"billing","start":"2024-03-15","end":"2024-04-01"}' | npx consort engine
Rules and worked examples: docs/pricing.md
`;

async function readStdin(): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(args: string[]): Promise<number> {
  const [command] = args;
  switch (command) {
    case 'engine': {
      const text = await readStdin();
      const { exitCode, body } =
        text === null
          ? {
              exitCode: 1,
              body: { error: { code: 'validation_failed', message: `The request is larger than ${MAX_REQUEST_BYTES} bytes`, details: [] } },
            }
          : runEngine(text);
      process.stdout.write(`${JSON.stringify(body)}\n`);
      return exitCode;
    }
    case 'bills':
      return runBills(args.slice(1), process.env);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(command ? `consort: unknown command "${command}"\n\n${HELP}` : HELP);
      return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
