// npm run bench:pdf — milliseconds per bill PDF over 200 renders (react-pdf, Helvetica, A4) of the bills a
// billing run produces: a 3-line invoice with two VAT rates and a discount (es), an amendment (ca), a
// membership fee (en) and a reverse-charge USD invoice with VAT in EUR (es). A 40-line, two-page invoice
// is measured apart (20 renders): it is rare, and "Page x of y" makes react-pdf lay it out twice.
// Target ≤ 30 ms/PDF (issue 4), reported, not asserted. Wall time suffers on a shared machine, so CPU
// time per PDF and the load average are reported too. The JSON line is last.
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { renderBillPdf } from '@consort/shared/documents/pdf';
import type { BillRenderModel } from '@consort/shared/documents/render-model';
import { createAmendmentModel, createFeeModel, createInvoiceModel, createReverseChargeUsdModel } from '../fixtures/factories/render-models';

const N = Number(process.env.BENCH_PDFS ?? 200);
const WARMUP = 10;

const long = createInvoiceModel('es');
long.lines = Array.from({ length: 40 }, (_, i) => ({ ...long.lines[1]!, description: `Buzón usuario${i + 1}@pangea.example` }));
const models: BillRenderModel[] = [
  createInvoiceModel('es'),
  createAmendmentModel('ca'),
  createFeeModel('en'),
  createReverseChargeUsdModel('es'),
];

async function cpuMsPer(model: BillRenderModel, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await renderBillPdf(model);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

for (let i = 0; i < WARMUP; i++) await renderBillPdf(models[i % models.length]!);

const samples: number[] = [];
let bytes = 0;
const digests = new Set<string>();
const cpu = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const pdf = await renderBillPdf(models[i % models.length]!);
  samples.push(performance.now() - t0);
  bytes += pdf.byteLength;
  if (i < models.length * 2) digests.add(createHash('sha256').update(pdf).digest('hex'));
}
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
samples.sort((a, b) => a - b);
const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;
const longStart = performance.now();
const longCpuMs = await cpuMsPer(long, 20);
const longMs = (performance.now() - longStart) / 20;

console.log(
  `rendered ${N} PDFs in ${Math.round(wallMs)} ms (${round(wallMs / N)} ms/PDF wall, ${round((used.user + used.system) / 1000 / N)} ms/PDF CPU)`,
);
console.log(`p50 ${round(pct(50))} ms · p95 ${round(pct(95))} ms · max ${round(samples.at(-1)!)} ms · ${Math.round(bytes / N)} bytes/PDF`);
console.log(`40-line two-page invoice: ${round(longMs)} ms/PDF wall, ${round(longCpuMs)} ms/PDF CPU`);
console.log(
  `deterministic: ${digests.size === models.length ? 'yes' : 'NO'} (${digests.size} distinct digests for ${models.length} models rendered twice)`,
);
console.log(
  JSON.stringify({
    bench: 'pdf',
    pdfs: N,
    msPerPdf: round(wallMs / N),
    cpuMsPerPdf: round((used.user + used.system) / 1000 / N),
    p50Ms: round(pct(50)),
    p95Ms: round(pct(95)),
    bytesPerPdf: Math.round(bytes / N),
    longInvoiceMsPerPdf: round(longMs),
    longInvoiceCpuMsPerPdf: round(longCpuMs),
    targetMsPerPdf: 30,
    deterministic: digests.size === models.length,
    loadAverage: round(loadavg()[0]!),
    cpus: availableParallelism(),
    node: process.version,
  }),
);
