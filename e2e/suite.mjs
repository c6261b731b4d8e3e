// The set-up every page test file shares: the release build served under
// /socklab/ and one headless Chromium, started before the file's tests and
// stopped after them.
import { before, after } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { DIST, startServer, launchChromium, SHOTS } from './serve.mjs';

/**
 * Registers the file's before/after hooks; the returned object's `server` and
 * `browser` are set once the tests run (read them inside a test, not at import).
 */
export function servedPage() {
  const served = { server: undefined, browser: undefined };
  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    served.server = await startServer({ dir: DIST, prefix: '/socklab/' });
    served.browser = await launchChromium();
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.close();
  });
  return served;
}

/**
 * A fresh page (fresh storage) of the served build at `fragment`, in English
 * unless `locale` says otherwise, with the console's errors and the page's
 * uncaught ones collected in `problems`; resolves once `ready` is shown.
 */
export async function openPage(
  served,
  { fragment = '', viewport = { width: 1280, height: 800 }, locale = 'en-US', ready = 'svg [data-host]' } = {},
) {
  const context = await served.browser.newContext({ viewport, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(served.server.url + fragment);
  await page.locator(ready).first().waitFor();
  return { context, page, problems };
}

/**
 * Where each time mark both diagrams show sits on the screen, below its diagram's
 * visible top: { "10 ms": [left, right] }.
 */
export async function sharedInstants(page) {
  const sides = await Promise.all(
    ['original', 'branch'].map((side) =>
      page.locator(`#compare [data-side="${side}"] .seq-scroll`).evaluate((box) => {
        const top = box.getBoundingClientRect().top;
        const seen = {};
        for (const t of box.querySelectorAll('text.time')) {
          const r = t.getBoundingClientRect();
          if (r.height > 0 && r.top >= top && r.bottom <= box.getBoundingClientRect().bottom) seen[t.textContent] = r.top - top;
        }
        return seen;
      }),
    ),
  );
  return Object.fromEntries(Object.keys(sides[0]).filter((k) => k in sides[1]).map((k) => [k, [sides[0][k], sides[1][k]]]));
}
