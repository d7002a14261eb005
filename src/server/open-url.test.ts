import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opener } from './open-url.ts';

describe('open(id) in the REPL', () => {
  const has = () => true;
  const lacks = () => false;
  const cases: Array<[string, string, Record<string, string>, (command: string) => boolean, string | null]> = [
    ['prints only on a headless Linux machine', 'linux', {}, has, null],
    ['uses xdg-open on a Linux desktop', 'linux', { DISPLAY: ':0' }, has, 'xdg-open'],
    ['uses xdg-open under Wayland', 'linux', { WAYLAND_DISPLAY: 'wayland-0' }, has, 'xdg-open'],
    ['prints only when xdg-open is missing', 'linux', { DISPLAY: ':0' }, lacks, null],
    ['uses open on macOS', 'darwin', {}, lacks, 'open'],
    ['prints only on Windows', 'win32', { DISPLAY: ':0' }, has, null],
  ];
  for (const [name, platform, env, installed, expected] of cases) {
    it(name, () => assert.equal(opener(platform, env, installed), expected));
  }
});
