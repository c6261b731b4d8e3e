// End-to-end: lessons told side by side (issue #19). The same ten messages over
// TCP and over UDP, losing the same two: TCP delivers every byte, UDP eight whole
// datagrams, and the counts say what each cost. Three requests with a connection
// each against one connection kept open: three handshakes against one.
// Screenshots go to target/e2e/ (look at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage, sharedInstants } from './suite.mjs';

const served = servedPage();

async function open(fragment, viewport = { width: 1280, height: 900 }) {
  return openPage(served, { fragment, viewport, ready: '#compare' });
}

/** The tally table as { row name: [left, right] }. */
async function tally(page) {
  const rows = await page.locator('#tally tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').textContent.trim(), ...[...tr.querySelectorAll('td')].map((td) => td.textContent.trim())]),
  );
  return Object.fromEntries(rows.map(([name, a, b]) => [name, [a, b]]));
}

async function toTheEnd(page) {
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
}

test('TCP and UDP side by side: the same two messages lost, every TCP byte delivered, eight UDP datagrams', async () => {
  const { context, page, problems } = await open('#lesson=tcp_vs_udp');
  assert.equal(await page.locator('#compare h2').textContent(), 'TCP ↔ UDP');
  const heads = await page.locator('#compare .compare-side h3').allTextContents();
  assert.match(heads[0], /^TCP/);
  assert.match(heads[1], /^UDP/);
  await toTheEnd(page);
  const t = await tally(page);
  assert.deepEqual(t['packets lost'], ['2', '2']);
  assert.deepEqual(t['handshakes (SYNs)'], ['1', '0 Δ']);
  // Each lost message is its own hole, proven lost by RACK at the first SACK
  // of a message sent 12 ms after it: two retransmissions without a timeout.
  assert.deepEqual(t['retransmissions'], ['2', '0 Δ']);
  assert.deepEqual(t['bytes the applications received'], ['51', '41 Δ']);
  // TCP's headers, handshake and ACKs cost more wire bytes per byte delivered.
  const [tcp, udp] = t['wire bytes per byte received'].map((v) => parseFloat(v));
  assert.ok(tcp > udp, `${tcp} vs ${udp}`);
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'side-by-side-tcp-udp.png') });
  // The shared link carries the lesson, not its UDP side: opening it brings it back.
  const url = page.url();
  assert.ok(!url.includes('branches='), url);
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side, an instant is as far down in each diagram, and TCP beside UDP marks nothing as differing', async () => {
  const { context, page, problems } = await open('#lesson=tcp_vs_udp');
  // Step on until the TCP side's diagram has scrolled down (the one with more to show).
  for (let i = 0; i < 14; i++) await page.locator('#step-forward').click();
  await page.waitForTimeout(900);
  const instants = await sharedInstants(page);
  assert.ok(Object.keys(instants).length >= 2, JSON.stringify(instants));
  for (const [time, [left, right]] of Object.entries(instants)) {
    assert.ok(Math.abs(left - right) < 1.5, `${time}: ${left} px down on the TCP side, ${right} on the UDP side`);
  }
  // Nothing is shared, so nothing is marked, and the caption does not promise marks.
  assert.equal(await page.locator('#compare .seq-scroll .differs').count(), 0);
  assert.ok(!(await page.locator('#compare .caption').textContent()).includes('Δ'));
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'side-by-side-tcp-udp-aligned.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a lost tail side by side: the tail loss probe has every byte there at 132 ms, the RTO alone at 310 ms', async () => {
  const { context, page, problems } = await open('#lesson=tail_loss_probe');
  const heads = await page.locator('#compare .compare-side h3').allTextContents();
  assert.match(heads[0], /^Tail loss probe \(Linux\)/);
  assert.match(heads[1], /^RTO only/);
  await toTheEnd(page);
  const t = await tally(page);
  assert.deepEqual(t['packets lost'], ['2', '2']);
  // The probe and the hole it uncovered, against two timer retransmissions.
  assert.deepEqual(t['retransmissions'], ['2', '2']);
  assert.deepEqual(t['last packet arrived at'], ['132 ms', '310 ms Δ']);
  // The right side is named as what it is, not as a branch.
  await page.getByRole('heading', { name: 'In flight on the RTO only side now:' }).waitFor();
  // The probe's timer is named where it fires, in the page's language.
  const notes = page.locator('.seq-scroll').last();
  await notes.getByText('tail loss probe timer fires').waitFor();
  await page.getByRole('button', { name: '한국어' }).click();
  await notes.getByText('꼬리 손실 탐색 타이머 만료').waitFor();
  await page.getByRole('heading', { name: '지금 RTO만 쪽에서 가는 중인 패킷:' }).waitFor();
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'side-by-side-tail-loss-probe.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a connection per request against one kept open: three handshakes against one, in Korean too', async () => {
  const { context, page, problems } = await open('#lesson=http_requests');
  await toTheEnd(page);
  const t = await tally(page);
  assert.deepEqual(t['handshakes (SYNs)'], ['3', '1 Δ']);
  const [many, one] = t['packets on the wire'].map((v) => parseInt(v, 10));
  assert.ok(many > one, `${many} vs ${one}`);
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'side-by-side-http.png') });
  await page.getByRole('button', { name: '한국어' }).click();
  await page.locator('#tally caption', { hasText: '두 실행 전체를 세어 보면' }).waitFor();
  const ko = await tally(page);
  assert.deepEqual(ko['핸드셰이크 (SYN)'], ['3', '1 Δ']);
  const heads = await page.locator('#compare .compare-side h3').allTextContents();
  assert.match(heads[0], /^요청마다 새 연결/);
  assert.match(heads[1], /^계속 열어 둔 연결 하나/);
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'side-by-side-http-ko.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
