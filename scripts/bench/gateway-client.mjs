// A keep-alive node:http client that stays up and makes blocks of sequential calls on the
// parent's request, so that its calls can be interleaved with hub.fetch's (gateway-load.mjs):
// `{ type: 'block', url, count, expected }` answers `{ times }`, each call's ms. With
// `expected` null, any 200 JSON object passes (the gateway's client info: the HTTP hop alone).
import { Agent } from 'node:http';
import { serveParent } from './child.mjs';
import { httpGet } from './http-get.mjs';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function call(url, expected) {
  return httpGet(url, agent, (text) => (expected === null ? text.startsWith('{') : text === expected));
}

serveParent({
  block: async ({ url, count, expected }) => {
    const times = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await call(url, expected);
      times.push(performance.now() - start);
    }
    return { times };
  },
});
