// node scripts/bench/dom-handler.mjs [--rounds R] [--profile FILE]: the page's cost of serving a
// small GET through ptth's DOM handler (its message path, as the transport calls it: no Request,
// no Response), against document.evaluate + outerHTML alone, in the bench page, in Chromium
// driven as the bench drives it. Per round: 40 × 256 concurrent calls of each, µs per call of
// wall time in the page (alternating, so both see the same machine). Not part of `npm run
// bench`; for iterating on the DOM handler. --profile writes a CDP CPU profile of the last round
// (bundle src/client/script.ts unminified over dist/client/client.js for readable names).
import { writeFileSync } from 'node:fs';
import { launchBare } from './bare-chromium.mjs';
import { startServerProcess } from './server-handle.mjs';
import { PATH } from './task.mjs';

const flag = (name) => process.argv[process.argv.indexOf(name) + 1];
const rounds = process.argv.includes('--rounds') ? Number(flag('--rounds')) : 3;
const profileTo = process.argv.includes('--profile') ? flag('--profile') : null;

const server = await startServerProcess();
const browser = await launchBare();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  const round = () =>
    page.evaluate(async (path) => {
      const handler = window.ptth.api.pageHandler(document);
      const serve = handler[Symbol.for('ptth.serveMessage')];
      const plain = () => document.evaluate(path, document, null, 9, null).singleNodeValue.outerHTML;
      const perCall = {};
      let id = 0;
      for (const way of ['dom', 'plain', 'dom', 'plain']) {
        const start = performance.now();
        for (let batch = 0; batch < 40; batch++) {
          const calls = [];
          for (let i = 0; i < 256; i++) {
            const message = { id: `b.${id++}`, method: 'GET', path, query: '', headers: [], body: null };
            calls.push(way === 'dom' ? serve.call(handler, message) : Promise.resolve(plain()));
          }
          await Promise.all(calls);
        }
        perCall[way] = ((performance.now() - start) * 1_000) / (40 * 256);
      }
      return perCall;
    }, PATH);
  for (let i = 0; i < rounds; i++) {
    const last = i === rounds - 1 && profileTo !== null;
    const cdp = last ? await page.context().newCDPSession() : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const { dom, plain } = await round();
    if (cdp) writeFileSync(profileTo, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    console.log(
      `round ${i + 1}: DOM handler ${dom.toFixed(1)} µs per GET, evaluate + outerHTML ${plain.toFixed(1)} µs`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
