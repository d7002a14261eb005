import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as core from './client/core.ts';
import * as client from './client/index.ts';
import * as peer from './peer/index.ts';
import * as server from './server/index.ts';
import * as fixture from './test/index.ts';

// The public surface is a promise to users: changing it must be a decision, made here.
describe('public exports', () => {
  it('the client exports exactly these names', () => {
    assert.deepEqual(Object.keys(client).sort(), [
      'Connection',
      'DOM_METHODS',
      'HttpError',
      'IGNORE_ATTRIBUTE',
      'KEY_ATTRIBUTE',
      'XPATH_NAMESPACES',
      'checkAttribute',
      'connect',
      'documentEvaluator',
      'domPurifier',
      'domResource',
      'expressionOf',
      'keepUserInput',
      'pageHandler',
      'pathOf',
      'router',
      'serializeValue',
      'xpathOf',
    ]);
  });

  it('the core client exports exactly these names, all of them also client exports', () => {
    const names = Object.keys(core).sort();
    assert.deepEqual(names, ['Connection', 'HttpError', 'connect', 'domResource', 'pageHandler', 'pathOf', 'router']);
    const all: Record<string, unknown> = { ...client };
    for (const [name, value] of Object.entries(core)) assert.equal(value, all[name], name);
  });

  it('the server exports exactly these names', () => {
    assert.deepEqual(Object.keys(server).sort(), [
      'ACK_HEADER',
      'DEFAULT_ENDPOINT',
      'DEFAULT_LIMITS',
      'HttpError',
      'Hub',
      'ID_HEADER',
      'INSTANCE_HEADER',
      'MESSAGE_HTTP',
      'MemoryStore',
      'POLL_HEADER',
      'PTTH_ACK_HEADER',
      'PrintedResponse',
      'REMOTE_ADDRESS_HEADER',
      'RETRY_HEADER',
      'REVERSE_ORIGIN',
      'SECRET_HEADER',
      'attachPtth',
      'createNodeServer',
      'decodeWireRequest',
      'decodeWireResponse',
      'devApp',
      'devLog',
      'encodeWireRequest',
      'encodeWireResponse',
      'endToEndHeaders',
      'formatLogLine',
      'fromRequest',
      'fromResponse',
      'gateway',
      'hubPage',
      'logHubEvents',
      'logRefusals',
      'logRequests',
      'longPollEndpoint',
      'parseRequests',
      'parseResponses',
      'pathOf',
      'printBatch',
      'printRequest',
      'printResponse',
      'problem',
      'protectPath',
      'ptthEndpoint',
      'ptthHandler',
      'ptthMiddleware',
      'randomToken',
      'replHelpers',
      'resolveClientId',
      'runTour',
      'sameToken',
      'startDevServer',
      'startRepl',
      'toNodeListener',
      'toRequest',
      'toResponse',
    ]);
  });

  it('the peer exports exactly these names', () => {
    assert.deepEqual(Object.keys(peer).sort(), [
      'ReversePeer',
      'ReverseServer',
      'UpgradeRefused',
      'dial',
      'parseXmlDocument',
      'serveDocument',
      'serveReverse',
      'xmlEvaluator',
      'xmlMarkup',
      'xmlMorph',
      'xmlResource',
    ]);
  });

  it('ptth/test exports exactly these names', () => {
    assert.deepEqual(Object.keys(fixture).sort(), ['BLANK_PAGE', 'connectPage', 'expect', 'test', 'withClientScript']);
  });
});
