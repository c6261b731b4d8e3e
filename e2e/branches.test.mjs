// End-to-end: what-if branches side by side (issue #19). On the tour (handshake,
// "hello", close), step to the first data segment, branch, drop it in the branch:
// the retransmission is on the branch side only, the "what changed" list says so
// in both languages, and the shared link brings the branch back. Screenshots at
// desktop and phone widths go to target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage, sharedInstants } from './suite.mjs';

const served = servedPage();

async function open(viewport, fragment = '#lesson=tour') {
  return openPage(served, { viewport, fragment });
}

/** Steps the original until its first data segment is on its way. */
async function stepToFirstData(page) {
  const flying = page.locator('.sequence-card .arrow.flying[data-label^="PSH"]');
  for (let i = 0; i < 40 && (await flying.count()) === 0; i++) {
    await page.locator('#step-forward').click();
  }
  assert.equal(await flying.count(), 1, 'the first data segment is on its way');
}

/** Scrolls the comparison's top just below the sticky controls and lets the diagrams' smooth scrolling settle. */
async function showCompare(page) {
  await page.evaluate(() => {
    const top = document.querySelector('#compare').getBoundingClientRect().top + window.scrollY;
    const bar = document.querySelector('.controls')?.getBoundingClientRect().height ?? 0;
    window.scrollTo(0, top - bar - 8);
  });
  // Not an assertion: the screenshot waits for the smooth scroll to end.
  await page.waitForTimeout(800);
}

/** Branches, drops the data segment in the branch, and goes to the end of both runs. */
async function branchAndDrop(page) {
  await stepToFirstData(page);
  await page.locator('#new-branch').click();
  await page.locator('#compare').waitFor();
  const data = page.locator('.branch-flight li', { hasText: 'PSH' });
  await data.getByRole('button', { name: /Drop/ }).click();
  await page.locator('#what-changed').waitFor();
}

test('a branch that drops the first data segment shows the retransmission on its side only', async () => {
  const { context, page, problems } = await open({ width: 1280, height: 900 });
  await branchAndDrop(page);
  // The dropped segment, still on its way, says so and offers no more changes.
  const dropped = page.locator('.branch-flight li', { hasText: 'PSH' });
  await dropped.locator('.doomed', { hasText: 'You dropped this packet' }).waitFor();
  assert.equal(await dropped.getByRole('button').count(), 0);
  // Step on (both runs, one cursor) until the branch's retransmission is sent.
  const sent = page.locator('#compare [data-side="branch"] .arrow-words', { hasText: 'Retransmission' });
  for (let i = 0; i < 40 && (await sent.count()) === 0; i++) await page.locator('#step-forward').click();
  assert.equal(await sent.count(), 1, 'the retransmission is sent');
  await showCompare(page);
  // One time axis: each side scrolled to its own current event, and "10 ms" sat 25 px apart.
  const instants = await sharedInstants(page);
  assert.ok(Object.keys(instants).length >= 2, JSON.stringify(instants));
  for (const [time, [left, right]] of Object.entries(instants)) {
    assert.ok(Math.abs(left - right) < 1.5, `${time}: ${left} px down in the original, ${right} in the branch`);
  }
  await page.screenshot({ path: join(SHOTS, 'branches-retransmission-1280.png') });
  // End: both runs to their ends, one cursor.
  await page.keyboard.press('End');
  const branchSide = page.locator('#compare [data-side="branch"]');
  const originalSide = page.locator('#compare [data-side="original"]');
  const retransmission = branchSide.locator('.arrow-words.differs', { hasText: 'Retransmission' });
  await retransmission.first().waitFor();
  assert.match(await retransmission.first().getAttribute('data-label'), /^Δ PSH/);
  assert.equal(await originalSide.locator('.arrow-words', { hasText: 'Retransmission' }).count(), 0);
  // Marked by more than colour: the Δ is in the label itself.
  const changed = await page.locator('#what-changed li').allTextContents();
  assert.ok(changed.some((l) => /Only in the branch: packet #\d+, a fast retransmission \(PSH/.test(l)), changed.join('\n'));
  assert.ok(changed.some((l) => /is lost in the branch, delivered in the original/.test(l)), changed.join('\n'));
  await showCompare(page);
  await page.screenshot({ path: join(SHOTS, 'branches-end-1280.png') });
  // In Korean.
  await page.getByRole('button', { name: '한국어' }).click();
  await page.getByRole('heading', { name: '원래 실행과 브랜치 나란히 보기' }).waitFor();
  const ko = await page.locator('#what-changed li').allTextContents();
  assert.ok(ko.some((l) => /브랜치에만 있음: 패킷 #\d+, client에서 server로 가는 빠른 재전송/.test(l)), ko.join('\n'));
  await showCompare(page);
  await page.screenshot({ path: join(SHOTS, 'branches-end-ko-1280.png') });
  await page.getByRole('button', { name: 'English' }).click();
  // The shared link carries the branch; opening it shows the same comparison.
  const link = await page.locator('.share-url').inputValue();
  assert.match(link, /&branches=\d+!\d+:drop:\d+!/);
  const again = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const second = await again.newPage();
  await second.goto(served.server.url + link);
  await second.locator('#what-changed').waitFor();
  assert.deepEqual(await second.locator('#what-changed li').allTextContents(), changed);
  await again.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('at phone width the two diagrams stack', async () => {
  const { context, page, problems } = await open({ width: 390, height: 844 });
  await branchAndDrop(page);
  await page.locator('#step-forward').click();
  await page.locator('#step-forward').click();
  await showCompare(page);
  await page.screenshot({ path: join(SHOTS, 'branches-390.png'), fullPage: false });
  await page.keyboard.press('End');
  const [a, b] = await Promise.all(
    ['original', 'branch'].map((s) => page.locator(`#compare [data-side="${s}"]`).boundingBox()),
  );
  assert.ok(b.y >= a.y + a.height - 1, `stacked: ${JSON.stringify([a, b])}`);
  assert.ok(b.width > 300, `full width: ${b.width}`);
  await page.locator('#what-changed').scrollIntoViewIfNeeded();
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(SHOTS, 'branches-end-390.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side, the step counter, the explanation and the announcement follow both runs, also when only one side has an event', async () => {
  // tail_loss_probe: from its step 21 only the RTO side has events before the
  // TLP side's last, and "step 21 / 22" stood still for five presses of Step.
  const { context, page, problems } = await open({ width: 1280, height: 900 }, '#lesson=tail_loss_probe&pos=0');
  await page.locator('#compare').waitFor();
  const position = page.locator('#position');
  const joint = async () => Number(await position.getAttribute('data-joint'));
  const sides = () => page.locator('.side-at').allTextContents();
  let oneSideOnly = 0;
  let expected = 1;
  for (; !(await page.locator('#step-forward').isDisabled()); expected++) {
    const before = await sides();
    await page.locator('#step-forward').click();
    await page.waitForFunction((w) => Number(document.querySelector('#position').dataset.joint) === w, expected);
    assert.match(await position.textContent(), new RegExp(`^step ${expected} / \\d+ \\(both runs\\)$`));
    const after = await sides();
    oneSideOnly += Number((before[0] === after[0]) !== (before[1] === after[1]));
    // What just happened, per side: the side that stood still says so, the
    // other explains its step (the card followed the left run only).
    for (const [i, side] of ['original', 'branch'].entries()) {
      const card = page.locator(`.card.explain [data-side="${side}"]`);
      const still = (await card.locator('.still').count()) === 1;
      assert.equal(still, before[i] === after[i], `step ${expected}, ${side}: ${await card.textContent()}`);
      if (!still) assert.ok((await card.locator('li').count()) > 0);
      // The screen reader hears each run that moved, under its name, and
      // not the one that stood still (it read the original's step alone).
      const name = (await card.locator('h3').textContent()).trim();
      const heard = await page.locator('#announce').textContent();
      assert.equal(heard.includes(`${name}: `), !still, `step ${expected}, ${side}: announced ${heard}`);
    }
  }
  assert.ok(oneSideOnly > 0, 'some steps move one side only');
  assert.match(await position.textContent(), new RegExp(`^step ${expected - 1} / ${expected - 1} \\(both runs\\)$`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side, the buffers panel and the state machine show the same socket in each run, under its name', async () => {
  // tail_loss_probe: a tail loss probe recovers the lost tail with cwnd kept,
  // where the RTO-only run's timeout shrinks it. The panel showed the left
  // run's socket alone.
  const { context, page, problems } = await open({ width: 1280, height: 900 }, '#lesson=tail_loss_probe&pos=0');
  await page.locator('#compare').waitFor();
  await page.keyboard.press('End');
  const panes = page.locator('.buffers-card .buffers-side');
  await page.waitForFunction(() => document.querySelectorAll('.buffers-card .buffers-side').length === 2);
  const names = await page.locator('.card.explain .explain-side h3').allTextContents();
  assert.deepEqual(await panes.locator('h3').allTextContents(), names);
  const caption = async (i) => (await panes.nth(i).locator('.caption').textContent()).replace(/ · [^ ]+$/, '');
  assert.equal(await caption(0), await caption(1), 'the same host and descriptor in both runs');
  const cwnd = async (i) => {
    const dd = panes.nth(i).locator('dt', { hasText: /^cwnd$/ }).locator('xpath=following-sibling::dd[1]');
    return Number((await dd.textContent()).replace(/[^0-9]/g, ''));
  };
  const [tlp, rto] = [await cwnd(0), await cwnd(1)];
  assert.ok(rto < tlp, `the RTO's cwnd (${rto} B) is below the probe's (${tlp} B)`);
  await panes.nth(1).screenshot({ path: join(SHOTS, 'branches-buffers.png') });
  // The state machine marks the same socket's state in each run: ● here, ○ there.
  const [here, there] = await page.locator('.fsm-card .fsm-sides span').allTextContents();
  assert.equal(here.split(':')[0], `● ${names[0]}`);
  assert.equal(there.split(':')[0], `○ ${names[1]}`);
  const otherState = there.split(': ')[1];
  assert.equal(await page.locator('.fsm-card .fsm-state.other-run').getAttribute('data-state'), otherState);
  assert.equal(await page.locator('.fsm-card .fsm-state.current').getAttribute('data-state'), here.split(': ')[1]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side, the state machine and the buffers find the same counterpart socket in the other run', async () => {
  // http_requests at step 32: the left run's browser fd 3 has an id the right
  // run does not give its browser socket; by id, the state machine said
  // "○ …: –" while the buffers showed the right run's server fd 4. Found by
  // its addresses or descriptor, both show the right run's browser fd 3; a
  // socket with no counterpart (a closed server connection) says so in both.
  const { context, page, problems } = await open({ width: 1280, height: 900 }, '#lesson=http_requests&pos=0');
  await page.locator('#compare').waitFor();
  for (let i = 0; i < 32; i++) await page.locator('#step-forward').click();
  const picker = page.locator('.fsm-card select');
  const pick = async (re) => picker.selectOption(await picker.locator('option', { hasText: re }).first().getAttribute('value'));
  await pick(/^browser fd 3 /);
  const there = async () => (await page.locator('.fsm-card .fsm-sides span').nth(1).textContent()).split(': ')[1];
  const right = page.locator('.buffers-card .buffers-side[data-side="branch"]');
  assert.notEqual(await there(), '–');
  assert.match(await right.locator('.caption').first().textContent(), /^browser · fd 3 · 10\.0\.0\.2:\d+$/);
  assert.equal(await page.locator('.fsm-card .fsm-state.other-run').getAttribute('data-state'), await there());
  for (let i = 0; i < 4; i++) await page.locator('#step-forward').click();
  await pick(/^server fd – FIN-WAIT-1/);
  assert.equal(await there(), '–');
  assert.equal(await right.locator('.no-counterpart').count(), 1);
  assert.equal(await page.locator('.fsm-card .fsm-state.other-run').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
