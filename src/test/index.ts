/** `ptth/test`: the Playwright fixture. Every export is named here on purpose (a test pins the list). */

export type { PtthFixture, PtthOptions, PtthServer } from './fixture.ts';
export { BLANK_PAGE, connectPage, expect, test, withClientScript } from './fixture.ts';
