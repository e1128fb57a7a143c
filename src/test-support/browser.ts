/**
 * A real browser for end-to-end and accessibility tests: Debian's Chromium driven by
 * playwright-core (never a downloaded browser build), and axe-core run inside a page to list
 * the serious and critical WCAG violations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, sandbox off (root in CI), and nothing that reaches out to the network by itself. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** False when this machine has no Chromium (tests then skip with a reason rather than fail to launch). */
export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
}

/**
 * A fresh context (own sessionStorage, cookies) at a desktop size, for one signed-in user.
 * bypassCSP: the console's policy forbids eval, which page.waitForFunction(text) relies on;
 * the policy itself is checked on the response headers (console.int.test.ts).
 */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1366, height: 900 }, reducedMotion: 'reduce', bypassCSP: true });
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

let axeSource: string | undefined;
function axeScript(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules plus best practices) on the page as it is now and
 * returns the serious and critical violations. The script goes in through the DevTools
 * protocol, so the console's Content-Security-Policy (script-src 'self') does not block it.
 */
export async function seriousViolations(page: Page, options: { exclude?: string[] } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeScript());
  const violations = await page.evaluate(async (exclude: string[]) => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    // Only `exclude`: axe then includes the whole document.
    const result = await axe.run({ exclude: exclude.map((selector) => [selector]) }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations;
  }, options.exclude ?? []);
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })) }));
}

/** Violations as readable lines for an assertion message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ') ?? '?'}: ${v.nodes[0]?.failureSummary ?? ''})`).join('\n');
}
