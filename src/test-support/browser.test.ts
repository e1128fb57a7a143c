import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, chromiumPath, describeViolations, launchBrowser, seriousViolations } from './browser.ts';

// The accessibility check of the end-to-end test must be able to fail: this proves it finds
// what it should on a page made to break WCAG, and nothing on a page that keeps it.
describe('browser helper: axe-core in Debian Chromium', { skip: chromiumAvailable() ? false : `no Chromium at ${chromiumPath}` }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  test('finds serious and critical violations: an image without text, an unnamed button, grey on grey', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><title>broken</title></head><body><main>
      <h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button>
      <p style="color:#999;background:#aaa">faint text</p></main></body></html>`);
    const ids = (await seriousViolations(page)).map((v) => v.id).sort();
    assert.deepEqual(ids, ['button-name', 'color-contrast', 'image-alt']);
    await page.close();
  });

  test('a page that keeps the rules has none, and an excluded region is not checked', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><title>fine</title></head><body><main>
      <h1>Fine</h1><label>Name <input name="n"></label><button>Search</button>
      <div id="third-party"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></div></main></body></html>`);
    const violations = await seriousViolations(page, { exclude: ['#third-party'] });
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.close();
  });
});
