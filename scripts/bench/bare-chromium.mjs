// Chromium for the bench with nothing watching its network. Playwright enables CDP's Network
// domain on every page it drives, and the browser then reports each request to it; that costs
// milliseconds per long-poll round trip and would be counted against every polling system. Here
// Chromium is driven over --remote-debugging-pipe with the Runtime domain only (evaluate, and a
// script added before the page's own, Page events), so its requests run as in a user's browser.
// `--playwright` on the bench picks Playwright instead, to see that difference.
import { spawn } from 'node:child_process';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

/** A page with the few methods of Playwright's the bench uses: goto, evaluate, waitForFunction, addInitScript. */
class BarePage {
  #call;
  #session;
  constructor(call, session) {
    this.#call = call;
    this.#session = session;
  }

  async goto(url) {
    await this.#call('Page.navigate', { url }, this.#session);
    // The old document is complete too: wait for the new one.
    await this.waitForFunction((href) => location.href === href && document.readyState === 'complete', url);
  }

  /** Runs `fn(arg)` in the page and resolves with its (awaited, JSON-able) value. */
  async evaluate(fn, arg) {
    const expression = `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`;
    const { result, exceptionDetails } = await this.#call(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      this.#session,
    );
    if (exceptionDetails) {
      const text = exceptionDetails.exception?.description ?? exceptionDetails.text;
      throw new Error(`In the page: ${text}`);
    }
    return result.value;
  }

  async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await this.evaluate(fn, arg);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${fn}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** What idle.mjs needs of Playwright's: a session to send CDP commands on (Performance.*). */
  context() {
    return {
      newCDPSession: async () => ({
        send: (method, params) => this.#call(method, params, this.#session),
        detach: async () => {},
      }),
    };
  }

  async addInitScript(fn) {
    await this.#call('Page.addScriptToEvaluateOnNewDocument', { source: `(${fn})()` }, this.#session);
  }
}

/** Launches Chromium headless with a CDP pipe; resolves with { newPage, version, close }. */
export async function launchBare() {
  const child = spawn(chromiumPath, [...chromiumArgs, '--headless', '--remote-debugging-pipe', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const [, , , toBrowser, fromBrowser] = child.stdio;
  const waiting = new Map();
  let next = 1;
  let buffered = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const pending = message.id === undefined ? undefined : waiting.get(message.id);
      if (!pending) continue;
      waiting.delete(message.id);
      if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`));
      else pending.resolve(message.result);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  void exited.then(() => {
    for (const pending of waiting.values()) pending.reject(new Error('Chromium exited'));
    waiting.clear();
  });
  const call = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject, method });
      toBrowser.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  const { product } = await call('Browser.getVersion');
  return {
    version: () => product,
    async newPage() {
      const { targetId } = await call('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await call('Target.attachToTarget', { targetId, flatten: true });
      // Page events only (for the scripts added before a document's own); nothing about the network.
      await call('Page.enable', {}, sessionId);
      return new BarePage(call, sessionId);
    },
    async close() {
      call('Browser.close').catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
