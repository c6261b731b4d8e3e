// End-to-end: the crash banner (issue 15). A panic anywhere in the page must leave a
// banner that says so, in the learner's language, with a Reset that brings the page back,
// not a blank or frozen page. Screenshots go to target/e2e/.
//
// A panic needs a bug, and the shipped page has none to order: these tests run the
// page's test build (PANIC_DIST, the cargo feature panic-trigger), whose only difference
// is a #panic-trigger button that panics inside a Yew callback. The panic is real (the
// hook, the abort, the dead wasm instance), and the shipped build is checked to have no
// such button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, PANIC_DIST, PANIC_DIST_BUILD, startServer, launchChromium, SHOTS } from './serve.mjs';

/** The message of the trigger's panic (src/ui/mod.rs panic_trigger). */
const PANIC_MESSAGE = 'a deliberate panic from #panic-trigger';
/** How long a banner may take to come up: it is drawn by the panic hook itself. */
const BANNER_TIMEOUT_MS = 5000;

let shipped;
let testBuild;
let browser;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  await access(join(PANIC_DIST, 'index.html')).catch(() => {
    throw new Error(`no test build in ${PANIC_DIST}: build it with \`${PANIC_DIST_BUILD}\` (tools/test.sh does)`);
  });
  shipped = await startServer({ dir: DIST, prefix: '/socklab/' });
  testBuild = await startServer({ dir: PANIC_DIST, prefix: '/socklab/' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shipped?.close();
  await testBuild?.close();
});

/** A fresh page (fresh storage) of `server` in `locale`, recording console errors and page errors. */
async function open(server, locale = 'en-US') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.locator('svg [data-host]').first().waitFor();
  return { context, page, errors };
}

async function position(page) {
  return page.locator('#position').getAttribute('data-pos');
}

/** Clicks the step button and waits until the page shows step `to`: the app answers. */
async function stepTo(page, to) {
  await page.locator('#step-forward').click();
  await page.waitForFunction((p) => document.querySelector('#position')?.dataset.pos === p, String(to));
}

/** Clicks the trigger; resolves to the banner once it is up, or fails naming what was logged instead. */
async function panicAndSeeBanner(page, errors) {
  await page.locator('#panic-trigger').click();
  const banner = page.getByRole('alert').filter({ has: page.locator('pre') });
  try {
    await banner.waitFor({ timeout: BANNER_TIMEOUT_MS });
  } catch {
    assert.fail(`no banner ${BANNER_TIMEOUT_MS} ms after the panic; the page logged:\n${errors.join('\n')}`);
  }
  assert.equal(await banner.getAttribute('id'), 'panic-banner');
  return banner;
}

test('the shipped page has no crash button', async () => {
  const { context, page, errors } = await open(shipped);
  assert.equal(await page.locator('#panic-trigger').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a panic in a click shows the banner, and Reset brings the page back where it was', async () => {
  const { context, page, errors } = await open(testBuild);
  await stepTo(page, 1);
  const banner = await panicAndSeeBanner(page, errors);
  const text = await banner.textContent();
  assert.match(text, /Something went wrong/);
  assert.match(text, /Reset to start again/);
  // The panic's own words and place, for a bug report.
  const detail = await banner.locator('pre').textContent();
  assert.ok(detail.includes(PANIC_MESSAGE) && detail.includes('src/ui/mod.rs'), detail);
  assert.ok(await banner.isVisible());
  // The console keeps its log of the panic (console_error_panic_hook), and the abort
  // that follows it is the wasm trap the browser reports.
  assert.ok(errors.some((e) => e.startsWith('console:') && e.includes(PANIC_MESSAGE)), errors.join('\n'));
  assert.ok(errors.some((e) => /page error: .*unreachable/.test(e)), errors.join('\n'));
  await page.screenshot({ path: join(SHOTS, 'panic-banner-en.png') });

  const logged = errors.length;
  await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reset' }).click()]);
  await page.locator('svg [data-host]').first().waitFor();
  assert.equal(await page.locator('#panic-banner').count(), 0);
  // Reset reloads: the place in the lesson comes back from the address bar, and the
  // page answers again.
  assert.equal(await position(page), '1');
  await stepTo(page, 2);
  assert.deepEqual(errors.slice(logged), []);
  await context.close();
});

test('the banner reads in Korean on a Korean page', async () => {
  const { context, page, errors } = await open(testBuild, 'ko-KR');
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  const banner = await panicAndSeeBanner(page, errors);
  const text = await banner.textContent();
  assert.match(text, /문제가 생겼습니다/);
  assert.match(text, /초기화하면 다시 시작합니다/);
  assert.ok(await banner.getByRole('button', { name: '초기화' }).isVisible());
  await page.screenshot({ path: join(SHOTS, 'panic-banner-ko.png') });
  await context.close();
});
