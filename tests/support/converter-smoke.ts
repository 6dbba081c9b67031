import { createServer } from 'node:http';
import { checkPdf } from '../../amplify/decks/pdf-check.js';
import { makePptx } from './deck-files.js';

/**
 * Smoke test of the deck converter image under the Lambda runtime interface emulator (the
 * converter-image workflow runs it): serves a 3-slide PPTX and accepts the PDF on this
 * machine, invokes the converter, and checks the PDF pdf.js opens.
 *
 *   npx tsx tests/support/converter-smoke.ts <invoke URL> <host name the container reaches us by>
 */
const [invokeUrl = 'http://localhost:9000/2015-03-31/functions/function/invocations', hostName = 'host.docker.internal'] = process.argv.slice(2);
const deck = await makePptx(3);
let pdf: Buffer | undefined;
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/deck.pptx') return void response.end(Buffer.from(deck));
  if (request.method === 'PUT' && request.url === '/deck.pdf') {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      pdf = Buffer.concat(chunks);
      response.end();
    });
    return;
  }
  response.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(9100, '0.0.0.0', resolve));
const answer = await (
  await fetch(invokeUrl, {
    method: 'POST',
    body: JSON.stringify({ format: 'pptx', sourceUrl: `http://${hostName}:9100/deck.pptx`, resultUrl: `http://${hostName}:9100/deck.pdf` }),
  })
).json();
server.close();
console.log(JSON.stringify(answer));
const opened = pdf ? await checkPdf(pdf) : undefined;
if ((answer as { status?: string }).status !== 'ok' || !opened?.ok || opened.pageCount !== 3) {
  console.error('The converter did not produce a 3-page PDF:', opened);
  process.exit(1);
}
console.log('converter smoke test passed: 3 pages');
