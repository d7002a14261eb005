import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withClientScript } from './fixture.ts';

const SCRIPT = '<script src="/ptth/client.js"></script>';

describe('markup pages of the fixture', () => {
  const cases: Array<[string, string, string]> = [
    [
      'gets the client first in its head',
      '<html><head><title>t</title></head></html>',
      `<html><head>${SCRIPT}<title>t</title></head></html>`,
    ],
    [
      'gets it after the doctype when it has no head',
      '<!DOCTYPE html><h1>x</h1>',
      `<!DOCTYPE html>${SCRIPT}<h1>x</h1>`,
    ],
    ['gets it first when it is a fragment', '<h1>x</h1>', `${SCRIPT}<h1>x</h1>`],
    ['is left alone when it loads the client itself', `<h1>x</h1>${SCRIPT}`, `<h1>x</h1>${SCRIPT}`],
    [
      'is left alone when it loads the ES module',
      '<script type="module">import "/ptth/client.mjs"</script>',
      '<script type="module">import "/ptth/client.mjs"</script>',
    ],
  ];
  for (const [name, markup, expected] of cases) {
    it(name, () => assert.equal(withClientScript(markup), expected));
  }
});
