// End-to-end: the release build (dist/) served under /socklab/ on 127.0.0.1, driven in
// Debian's Chromium by playwright-core. Screenshots go to target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { servedPage } from './suite.mjs';


const served = servedPage();

/** A fresh page (fresh storage) that records console errors and failed requests. */
async function openPage(viewport = { width: 1280, height: 800 }, fragment = '') {
  const context = await served.browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(served.server.url + fragment);
  await page.locator('svg [data-host]').first().waitFor();
  return { context, page, problems };
}

test('the page under /socklab/ draws both hosts from the core', async () => {
  const { context, page, problems } = await openPage();
  assert.equal(await page.title(), 'socklab');
  for (const [name, addr] of [['client', '10.0.0.2'], ['server', '10.0.0.1']]) {
    const host = page.locator(`svg [data-host="${name}"]`);
    assert.ok(await host.isVisible(), `${name} box visible`);
    assert.match(await host.textContent(), new RegExp(`${name}.*${addr.replaceAll('.', '\\.')}`));
  }
  assert.match(await page.locator('svg .link-words').textContent(), /10 ms/);
  await page.screenshot({ path: join(SHOTS, 'en-1280x800.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language switch shows Korean and is remembered', async () => {
  const { context, page, problems } = await openPage();
  await page.getByRole('button', { name: '한국어' }).click();
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  assert.equal(await page.getByRole('button', { name: '한국어' }).getAttribute('aria-pressed'), 'true');
  await page.screenshot({ path: join(SHOTS, 'ko-1280x800.png') });
  await page.reload();
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Sequence diagram' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a phone-sized screen shows everything without sideways scrolling', async () => {
  const { context, page, problems } = await openPage({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  // The network is drawn as a column that fits: it does not scroll sideways either.
  const topo = await page.locator('.topo-scroll').evaluate((s) => s.scrollWidth - s.clientWidth);
  assert.ok(topo <= 0, `the network scrolls ${topo}px sideways`);
  assert.ok(await page.locator('svg.topology.column').isVisible());
  assert.ok(await page.getByRole('heading', { name: 'Sequence diagram' }).isVisible());
  await page.screenshot({ path: join(SHOTS, 'en-390.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the event list fits its box and keeps the current step in view in either language', async () => {
  // fast_retransmit at step 12: a send() quoting 14,480 bytes of payload, one
  // word with no space in it, widened the table to 647 px in a 338 px box and
  // scrolled the packet column out of view.
  const { context, page, problems } = await openPage({ width: 390, height: 844 }, '#lesson=fast_retransmit&pos=12');
  const box = page.locator('.events-scroll');
  await box.locator('tr.current').first().waitFor();
  const sideways = await box.evaluate((s) => s.scrollWidth - s.clientWidth);
  assert.ok(sideways <= 0, `the event list scrolls ${sideways}px sideways`);
  const chips = await box.locator('td .chip').evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().height));
  assert.ok(chips.length > 0 && chips.every((h) => h < 24), `a packet number broke over lines: ${chips}`);
  // Korean wraps the rows anew; the current step stays in the box.
  const currentInView = () =>
    box.evaluate((s) => {
      const rows = [...s.querySelectorAll('tr.current')];
      const r = rows[rows.length - 1].getBoundingClientRect(), b = s.getBoundingClientRect();
      return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    });
  for (const [button, heading] of [['한국어', '사건 목록'], ['English', 'Events']]) {
    await page.getByRole('button', { name: button }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    await page.waitForFunction(() => true);
    assert.ok(await currentInView(), `after ${button}, the current step is out of view`);
  }
  await page.screenshot({ path: join(SHOTS, 'events-390.png'), fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the sequence diagram keeps the current event’s note in view, not only its dot', async () => {
  // four_way_close at 390 px: scrolled to the lifeline's dot, the diagram cut
  // the note beside it ("TIME-WAIT" read "IT", "FIN-WAIT-2" "-2").
  const { context, page, problems } = await openPage({ width: 390, height: 844 }, '#lesson=four_way_close');
  // Scrolls land at once, not smoothly, so each step can be measured at once.
  await page.addStyleTag({ content: '.seq-scroll { scroll-behavior: auto !important; }' });
  const scroller = page.locator('.sequence-card .seq-scroll');
  await scroller.waitFor();
  const noteInView = () =>
    scroller.evaluate((box) => {
      const notes = box.querySelectorAll('.note.current text');
      const note = notes[notes.length - 1];
      if (!note) return 'no note';
      const r = note.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (r.width > b.width) return 'wider than the box';
      return r.left >= b.left - 1 && r.right <= b.right + 1
        ? 'in view'
        : `"${note.textContent}" at ${Math.round(r.left)}..${Math.round(r.right)}, box ${Math.round(b.left)}..${Math.round(b.right)}`;
    });
  let seen = 0;
  const total = Number(await page.locator('#position').getAttribute('data-total'));
  for (let step = 1; step <= total; step++) {
    await page.keyboard.press('ArrowRight');
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const where = await noteInView();
    if (where === 'no note' || where === 'wider than the box') continue;
    assert.equal(where, 'in view', `step ${step}`);
    seen++;
  }
  assert.ok(seen >= 15, `a note was current at ${seen} steps`);
  await page.locator('.sequence-card').screenshot({ path: join(SHOTS, 'sequence-note-390.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the script keeps the current line in its box as the lesson steps', async () => {
  // http_requests: its lines wrap on a phone, and at step 10 the box showed
  // the lines before the current one, which sat just below it.
  const { context, page, problems } = await openPage({ width: 390, height: 844 }, '#lesson=http_requests');
  const box = page.locator('.script-lines');
  await box.waitFor();
  const currentInBox = () =>
    box.evaluate((list) => {
      const line = list.querySelector('.sline.current');
      if (!line) return 'no current line';
      const r = line.getBoundingClientRect(), b = list.getBoundingClientRect();
      return r.top >= b.top - 1 && r.bottom <= b.bottom + 1 ? 'in view' : `${line.dataset.line} at ${r.top}..${r.bottom}, box ${b.top}..${b.bottom}`;
    });
  let seen = 0;
  // Side by side, a step may move the right-hand run alone: count key presses.
  for (let step = 1; step <= 30; step++) {
    await page.keyboard.press('ArrowRight');
    // The step is drawn, and the box scrolls in the frame after.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const where = await currentInBox();
    if (where === 'no current line') continue;
    assert.equal(where, 'in view', `step ${step}`);
    seen++;
  }
  assert.ok(seen >= 20, `the current line was marked at ${seen} steps`);
  assert.deepEqual(problems, []);
  await context.close();
});
