import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDevServer } from './dev-server.ts';
import { PACKAGE_ROOT } from './ptth-handler.ts';
import { connectTestPage } from './test-page.ts';
import { escapeHtml, greeting, hubPage, runTour, valueAttribute } from './tour.ts';

describe('the demo tour', () => {
  it('counts, edits the todo list, and greets the name typed in the form', async (t) => {
    const server = await startDevServer({ port: 0, clientDir: mkdtempSync(join(tmpdir(), 'ptth-tour-')) });
    t.after(() => server.close());
    const page = await connectTestPage(server.url, { html: readFileSync(join(PACKAGE_ROOT, 'index.html'), 'utf8') });
    t.after(() => page.close());
    const document = page.document;
    const lines: string[] = [];
    const stop = new AbortController();
    // Settles with the error, if any, so that a failed test leaves no unhandled rejection behind.
    const tour = runTour(hubPage(server.hub, page.id), {
      delayMs: 0,
      waitSeconds: 2,
      signal: stop.signal,
      say: (line) => lines.push(line),
    }).then(
      () => null,
      (error: unknown) => error,
    );
    t.after(() => stop.abort());
    const until = async (check: () => boolean) => {
      // Generous: on a loaded machine the tour's twenty-odd round trips can take seconds.
      const deadline = Date.now() + 30_000;
      while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(check(), `timed out; the tour said:\n${lines.join('\n')}`);
    };
    await until(() => lines.some((line) => line.startsWith('3.')));
    // After the pauses of parts 1 and 2, at most the watching GET's listener is left on the signal (each pause
    // used to leave its own: Node warned of a leak past ten).
    assert.ok(getEventListeners(stop.signal, 'abort').length <= 1, 'abort listeners left behind');
    assert.equal(document.querySelector('#counter')?.textContent, '5');
    assert.deepEqual(
      Array.from(document.querySelectorAll('#todo li'), (li) => li.textContent),
      ['curl this tab', 'write the tour', 'take a screenshot', 'ship it!'],
    );
    assert.ok(lines.includes('  the list has 4 items'));
    assert.ok(lines.some((line) => /POST \/\/ul\[@id='todo'\] → 201 \(Location: \/html\/body/.test(line)));

    const input = document.querySelector('#name') as HTMLInputElement;
    const view = document.defaultView as Window & typeof globalThis;
    input.value = 'Ada <3';
    input.dispatchEvent(new view.Event('input', { bubbles: true }));
    await until(() => document.querySelector('h1')?.textContent === 'Hello, Ada <3!');
    stop.abort();
    assert.equal(await tour, null);
    assert.ok(lines.includes('  the user typed "Ada <3"'));
    assert.equal(lines.at(-1), 'The tour is over.');
  });

  it('reads a typed value back from markup and writes a greeting safely', () => {
    assert.equal(valueAttribute('<input id="name" value="a &amp; &quot;b&quot; &lt;c&gt;">'), 'a & "b" <c>');
    assert.equal(valueAttribute('<input id="name">'), '');
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(greeting(' <b>Bo</b> '), '<h1 id="title">Hello, &lt;b&gt;Bo&lt;/b&gt;!</h1>');
    assert.equal(greeting('  '), '<h1 id="title">Hello from ptth</h1>');
  });
});
