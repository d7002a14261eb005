// A child process that calls a URL with a keep-alive node:http client, as an outside caller of
// the gateway would: p50/p99 of sequential GETs and answers/s with many in flight, as JSON on stdout.
// `hopUrl` is answered by the server alone: its sequential p50/p99 is the cost of the HTTP hop.
// Usage: node http-load.mjs '{"url", "expected", "hopUrl", "warmup", "count", "total", "inFlight"}'
import { Agent } from 'node:http';
import { httpGet } from './http-get.mjs';
import { latency, throughput } from './stats.mjs';

const { url, expected, hopUrl, warmup, count, total, inFlight } = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: inFlight, maxFreeSockets: inFlight });

function call(target = url, check = (text) => text === expected) {
  return httpGet(target, agent, check);
}

// A count or total of 0 leaves that part out, so a caller can time the parts separately.
const result = {};
if (count > 0) Object.assign(result, await latency(() => call(), { warmup, count }));
if (total > 0) result.perSecond = await throughput(() => call(), { total, inFlight });
if (count > 0 && hopUrl)
  result.hop = await latency(() => call(hopUrl, (text) => text.startsWith('{')), { warmup, count });
agent.destroy();
process.stdout.write(JSON.stringify(result));
