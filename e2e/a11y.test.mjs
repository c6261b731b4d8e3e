// End-to-end, for every learner (issue #19): an axe-core audit of the main views at
// desktop and phone widths, a lesson stepped with the keyboard alone while the live
// region says each step, and reduced motion honoured. The release build (dist/) is
// served under /socklab/; screenshots go to target/e2e/ (look at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage } from './suite.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const served = servedPage();

/** A fresh page (fresh storage) that records console errors. */
async function open(viewport = DESKTOP, fragment = '') {
  return openPage(served, { viewport, fragment });
}

const pos = (page) => page.locator('#position').getAttribute('data-pos').then(Number);
const announced = (page) => page.locator('#announce').textContent();

/** One key press that steps, waiting for the page (and its live region) to show the step. */
async function stepBy(page, key = 'ArrowRight') {
  const was = await pos(page);
  const want = key === 'ArrowLeft' ? was - 1 : was + 1;
  await page.keyboard.press(key);
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, want);
  return announced(page);
}

/** Steps by keyboard until a packet is on its way in the network picture. */
async function stepUntilFlying(page, max = 40) {
  for (let i = 0; i < max; i++) {
    if ((await page.locator('.topology .pkt.flying').count()) > 0) return;
    await stepBy(page);
  }
  throw new Error('no packet ever flew');
}

/** Presses Tab until the focus is on an element matching `selector`; returns it (as a handle). */
async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluateHandle((sel) => document.activeElement?.closest(sel) ?? null, selector);
    if (await el.evaluate((e) => e !== null)) return el;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** axe-core on the whole page: no serious or critical violations; the others are printed. */
async function audit(page, name) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const line = (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`;
  for (const v of result.violations.filter((v) => !['serious', 'critical'].includes(v.impact))) {
    console.log(`axe ${name}: ${line(v)}`);
  }
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map(line), [], `${name}: serious or critical accessibility violations`);
}

for (const [width, viewport] of [['1280', DESKTOP], ['390', PHONE]]) {
  test(`axe finds nothing serious at ${width} px: a lesson mid-way with a packet inspected, Korean, the sandbox`, async () => {
    const { context, page, problems } = await open(viewport);
    await stepUntilFlying(page);
    await stepBy(page);
    // Pick a packet from the event table, as a keyboard user would.
    const inspect = page.locator('#events button.inspect').last();
    await inspect.focus();
    await page.keyboard.press('Enter');
    await page.locator('.inspector[data-packet]').waitFor();
    await audit(page, `lesson ${width}`);
    await page.screenshot({ path: join(SHOTS, `a11y-lesson-${width}.png`), fullPage: width === '390' });

    await page.getByRole('button', { name: '한국어' }).click();
    await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    await audit(page, `Korean ${width}`);
    await page.screenshot({ path: join(SHOTS, `a11y-ko-${width}.png`) });
    await page.getByRole('button', { name: 'English' }).click();

    await page.locator('#lesson-select').selectOption('sandbox');
    await page.locator('#run-script').waitFor();
    await audit(page, `sandbox ${width}`);
    await page.screenshot({ path: join(SHOTS, `a11y-sandbox-${width}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the first lesson (the tour) stepped with the keyboard alone: the live region says each step in one sentence', async () => {
  const { context, page, problems } = await open();
  assert.equal(await page.locator('#announce').getAttribute('aria-live'), 'polite');
  // Tab, and nothing else, reaches the step button.
  await tabTo(page, '#step-forward', 30);
  // Enter on the focused button steps; so does → anywhere outside a text field.
  const said = [];
  const was = await pos(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, was + 1);
  said.push(await announced(page));
  while ((await pos(page)) < Number(await page.locator('#position').getAttribute('data-total'))) {
    said.push(await stepBy(page));
  }
  // One sentence per step, each different from the one before, with its time first.
  for (const [i, s] of said.entries()) {
    assert.match(s, /^\d+(\.\d+)? m?s: .+\.$/, `step ${i + 1}: ${s}`);
    if (i > 0) assert.notEqual(s, said[i - 1], `step ${i + 1} says the same as the step before`);
  }
  const once = (part) => assert.equal(said.filter((s) => s.includes(part)).length, 1, `${part} in ${said.join('\n')}`);
  assert.equal(said[0], '0 ms: server: socket(tcp) returns 3.');
  once('client sends SYN, seq 0, to server port 80');
  once('server sends SYN-ACK, seq 0, ack 1, to client port ');
  once('client socket 3: SYN-SENT → ESTABLISHED');
  once('server: accept(3) returns 4 from 10.0.0.2:');
  // Back, by keyboard: the region says the step now shown.
  const back = await stepBy(page, 'ArrowLeft');
  assert.equal(back, said[said.length - 2]);

  // A packet is picked with the keyboard in the diagram too: Tab onto an arrow, Enter.
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#position')?.dataset.pos === '0');
  await stepUntilFlying(page);
  const arrow = await tabTo(page, '.sequence .arrow');
  await page.keyboard.press('Enter');
  await page.locator('.inspector[data-packet]').waitFor();
  assert.equal(await page.locator('.inspector').getAttribute('data-packet'), await arrow.evaluate((a) => a.dataset.packet));
  // The focus ring is visible on it.
  const ring = await page.locator('.sequence .arrow:focus-visible .hit').evaluate((h) => getComputedStyle(h).stroke);
  assert.notEqual(ring, 'rgba(0, 0, 0, 0)');
  // And from the event table: Tab on to a row's packet button, Enter (→ still steps from there).
  await stepBy(page);
  const inspect = await tabTo(page, '#events button.inspect');
  await page.keyboard.press('Enter');
  const picked = await inspect.evaluate((b) => b.dataset.packet);
  await page.waitForFunction((id) => document.querySelector('.inspector')?.dataset.packet === id, picked);
  assert.equal(await inspect.evaluate((b) => b.getAttribute('aria-pressed')), 'true');
  await stepBy(page);

  // Playing, the region keeps quiet (a sentence per step would pile up); pausing says where it stopped.
  await page.locator('#step-forward').focus();
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#position')?.dataset.pos === '0');
  await page.locator('#play').click();
  await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.pos) >= 2);
  assert.equal(await announced(page), '');
  await page.locator('#play').click();
  await page.waitForFunction(() => document.querySelector('#play')?.getAttribute('aria-pressed') === 'false');
  const stopped = await pos(page);
  assert.equal(await announced(page), said[stopped - 1]);

  // In Korean, the region speaks Korean.
  await page.getByRole('button', { name: '한국어' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  await page.locator('#step-forward').focus();
  const ko = await stepBy(page);
  assert.match(ko, /[가-힣]/, ko);
  assert.doesNotMatch(ko, / sends | returns /, ko);
  await page.screenshot({ path: join(SHOTS, 'a11y-keyboard-ko.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('reduced motion: packets jump, nothing is animated and the diagram does not scroll smoothly', async () => {
  const { context, page, problems } = await open();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await stepUntilFlying(page);
  const motion = await page.evaluate(() =>
    [...document.querySelectorAll('.pkt, .pkt *, .edge path, .fsm-state rect, .seg, .seq-scroll')].map((el) => {
      const s = getComputedStyle(el);
      return {
        el: el.getAttribute('class'),
        transition: s.transitionDuration.split(',').some((d) => parseFloat(d) > 0),
        animation: s.animationName !== 'none' && s.animationName !== '',
        smooth: s.scrollBehavior === 'smooth',
      };
    }),
  );
  assert.ok(motion.some((m) => m.el?.includes('pkt')), 'a packet is drawn');
  assert.deepEqual(motion.filter((m) => m.transition || m.animation || m.smooth), []);
  // Without the preference, packets glide: the check above can tell.
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  const glides = await page.locator('.topology .pkt').first().evaluate((p) => getComputedStyle(p).transitionDuration);
  assert.notEqual(glides, '0s');
  assert.deepEqual(problems, []);
  await context.close();
});
