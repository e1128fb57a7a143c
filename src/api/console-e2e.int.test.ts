/**
 * The main job, end to end, as a newcomer meets it: `longitude start` on a fresh embedded
 * database loads a small simulated organization through the real connectors, then a care
 * manager and a service agent work from the console in Debian's Chromium. Screenshots of the
 * main pages go to docs/screenshots/ for the README; axe-core checks every page.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startLongitude, type RunningHub } from '../test-support/cli-process.ts';
import { chromiumAvailable, describeViolations, launchBrowser, newContext, seriousViolations } from '../test-support/browser.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshots = join(root, 'docs', 'screenshots');
const people = 40;

interface TruthPerson {
  personId: string;
  given: string;
  family: string;
  silos: Set<string>;
}

/** A CSV line of the simulator's truth files (no quoted commas in the columns read here). */
const cells = (line: string) => line.split(',');

/** People from the simulator's truth, with the silos that hold a record of them. */
function truthPeople(orgDir: string): TruthPerson[] {
  const [head, ...lines] = readFileSync(join(orgDir, 'truth', 'people.csv'), 'utf8').trim().split('\n');
  const col = cells(head!);
  const byId = new Map<string, TruthPerson>();
  for (const line of lines) {
    const c = cells(line);
    const id = c[col.indexOf('person_id')]!;
    byId.set(id, { personId: id, given: c[col.indexOf('given')]!, family: c[col.indexOf('family')]!, silos: new Set() });
  }
  for (const line of readFileSync(join(orgDir, 'truth', 'identity.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [silo, , personId] = cells(line);
    byId.get(personId!)?.silos.add(silo!);
  }
  return [...byId.values()];
}

/** How a caller might spell a name on the phone: two inner letters swapped. */
function misspell(name: string): string {
  const i = [...name].findIndex((ch, k) => k >= 2 && k < name.length - 1 && ch.toLowerCase() !== name[k + 1]!.toLowerCase());
  return i < 0 ? `${name}e` : name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
}

async function signIn(page: Page, role: RegExp): Promise<void> {
  await page.goto('/login');
  await page.getByRole('button', { name: role }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${name}: ${describeViolations(violations)}`);
}

const skip = !chromiumAvailable() && !process.env.CI ? 'Chromium is not installed (apt-get install -y chromium); .ci/run installs it' : false;

describe('the console, end to end', { skip, timeout: 15 * 60_000 }, () => {
  let hub: RunningHub;
  let baseUrl: string;
  let browser: Browser;
  let dataDir: string;
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'lng-e2e-'));
    // The embedded database (no DATABASE_URL), as `npm start` on a fresh machine.
    hub = startLongitude(['--people', String(people)], { LONGITUDE_DATA_DIR: dataDir });
    [baseUrl, browser] = await Promise.all([hub.baseUrl, launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    if (hub?.child.exitCode === null) {
      const exited = new Promise((resolve) => hub.child.once('exit', resolve));
      hub.child.kill('SIGTERM');
      await exited;
    }
  });

  test('the first start loads the simulated organization and says how to sign in', () => {
    for (const stage of ['simulate', 'identity', 'signals']) assert.match(hub.stderr(), new RegExp(stage, 'i'));
    assert.match(hub.stderr(), /care\.manager/);
  });

  test('a care manager finds a person by a misspelled name and sees records from three silos, badged', async () => {
    const person = truthPeople(join(dataDir, 'demo-org')).find((p) => p.silos.size >= 3 && p.family.length >= 5);
    assert.ok(person, 'the simulated organization has someone in three silos');
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, /care manager/i);
    await checkPage(page, 'home');

    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByLabel('Name').fill(`${person.given} ${misspell(person.family)}`);
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.getByRole('region', { name: /found/ }).getByRole('link').first();
    await hit.waitFor();
    await checkPage(page, 'search');
    assert.match((await hit.textContent()) ?? '', new RegExp(person.family, 'i'));

    await hit.click();
    await page.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    await page.getByRole('region', { name: 'Timeline table' }).waitFor();
    const silos = new Set((await page.locator('.badge').allTextContents()).map((t) => t.replace(/^source:\s*/, '').trim()));
    silos.delete('Golden record');
    assert.ok(silos.size >= 3, `badges from at least three silos, saw ${[...silos].join(', ')}`);
    await checkPage(page, 'person');
    await context.close();
  });

  test('acknowledging a care-gap signal takes it off the work queue', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, /care manager/i);
    await page.getByRole('link', { name: 'Work queue' }).click();
    await page.getByLabel('Kind').selectOption('care-gap');
    const acknowledge = page.getByRole('button', { name: /^Acknowledge/ }).first();
    await acknowledge.waitFor();
    await checkPage(page, 'work-queue');
    const label = (await acknowledge.getAttribute('aria-label')) ?? (await acknowledge.textContent())!;
    const title = label.replace(/^Acknowledge:?\s*/, '');
    const before = await page.getByRole('row').filter({ hasText: title }).count();
    await acknowledge.click();
    // The page code runs in the browser, so it is given as text (this file has no DOM types).
    await page.waitForFunction(`[...document.querySelectorAll('tr')].filter((tr) => tr.textContent.includes(${JSON.stringify(title)})).length < ${before}`);
    await context.close();
  });

  test('an identity review item is decided and leaves the queue', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, /care manager/i);
    await page.getByRole('link', { name: 'Identity review' }).click();
    const items = page.locator('article[data-review-id]');
    await items.first().waitFor();
    await checkPage(page, 'identity-review');
    const id = await items.first().getAttribute('data-review-id');
    await items.first().getByRole('button', { name: /^Link/ }).click();
    await page.locator(`article[data-review-id="${id}"]`).waitFor({ state: 'detached' });
    await context.close();
  });

  test('an administrator sees the interface monitor and data quality', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, /administrator/i);
    await page.getByRole('link', { name: 'Interfaces' }).click();
    await page.getByRole('region', { name: 'Channels table' }).waitFor();
    await checkPage(page, 'interfaces');
    await page.getByRole('link', { name: 'Data quality' }).click();
    await page.getByRole('region', { name: 'Quality per source table' }).waitFor();
    await checkPage(page, 'quality');
    await context.close();
  });

  test('a service agent sees neither the clinical record nor the work queue, and the API refuses it too', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, /service agent/i);
    const nav = await page.getByRole('navigation', { name: 'Main' }).textContent();
    assert.doesNotMatch(nav ?? '', /Work queue|Interfaces|Audit/);

    const person = truthPeople(join(dataDir, 'demo-org')).find((p) => p.silos.size >= 3)!;
    await page.getByLabel('Name').fill(`${person.given} ${person.family}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('region', { name: /found/ }).getByRole('link').first().click();
    await page.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    await page.getByText(/not shown to your role|may not see|withheld/i).first().waitFor();
    const timeline = await page.locator('#timeline').textContent();
    assert.doesNotMatch(timeline ?? '', /Hemoglobin A1c|Lipid panel|laboratory/i);
    await checkPage(page, 'person-service-agent');

    const personId = new URL(page.url()).pathname.split('/').pop()!;
    const answers = (await page.evaluate(`(async () => {
      const get = (url) => fetch(url, { headers: { authorization: 'Bearer ' + sessionStorage.getItem('longitude.token') } }).then((r) => r.status);
      return { observations: await get('/fhir/R4/Observation?patient=${personId}'), signals: await get('/signals?kind=care-gap') };
    })()`)) as { observations: number; signals: number };
    assert.deepEqual(answers, { observations: 403, signals: 403 });
    await context.close();
  });
});
