// The bench's task, the same for every system: ask the page for one small node and await it.

/** The node every system asks for, as ptth's reverse path (an XPath expression). */
export const PATH = '/html/body/header/h1';
/** What every system must answer. */
export const EXPECTED = '<h1 id="title">Hello from ptth</h1>';
/** The large subtree: the bench page's 1,000-row table. */
export const TABLE_PATH = '/html/body/main/table';
