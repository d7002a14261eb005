/** XPath samples for the gateway's pre-check, shared by its unit tests and the e2e test that
 * compares it with Chromium. Only tests import this file. */

/** Expressions the browser accepts: the gateway must let every one through. */
export const VALID_XPATHS = [
  '/',
  '/html/body/h1',
  '//li[2]',
  "//ul[@id='todo']/li[last()]",
  'count(//li)',
  'string(//h1)',
  '(//li)[1]',
  '1 + 1',
  '-1',
  '//li[. = "a b"]/@class',
  '//svg:circle',
  '//*[local-name() = "svg"]',
  '//li[position() > 1 and position() < 3]',
  '//a[starts-with(@href, "/")] | //p',
  '/html/body/descendant::*[self::h1 or self::h2]',
  '//li/..',
  '//text()[normalize-space()]',
  'concat("a", \'b\')',
  '//li[contains(translate(., "ABC", "abc"), "a")]',
  '//div[@id="x"]/following-sibling::*[1]',
  'boolean(//li)',
  'sum(//li) div 2',
  '//comment()',
  '//processing-instruction()',
  '5.',
  '//li[1.]',
  'ceiling(1.)',
  "//processing-instruction('x')",
  '//*[1][2]',
  '//div | //mod',
];

/** Expressions that do not parse. */
export const INVALID_XPATHS = ['//li[', '/html/body]', 'count(//li', '//li[@]', '///', '//li[1]]', '/html/@'];
