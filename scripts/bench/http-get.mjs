// One GET with a keep-alive node:http agent, as an outside caller of the gateway makes it: the
// bench's two such callers (http-load.mjs, gateway-client.mjs) share it.
import { get } from 'node:http';

/** GETs `url` through `agent`; resolves when the body passes `check(text)` with a 200, else rejects. */
export function httpGet(url, agent, check) {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        if (res.statusCode === 200 && check(text)) resolve();
        else reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 200)}`));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}
