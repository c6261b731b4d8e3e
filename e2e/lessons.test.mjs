// End-to-end: the lessons, stepped, inspected, broken and shared, in the release build
// served under /socklab/. Screenshots go to target/e2e/ (look at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage } from './suite.mjs';


const served = servedPage();

async function open(fragment = '', viewport = { width: 1280, height: 800 }) {
  return openPage(served, { fragment, viewport });
}

const pos = (page) => page.locator('#position').getAttribute('data-pos').then(Number);

/** One step forward by keyboard, waiting for the page to show it. */
async function step(page, key = 'ArrowRight') {
  const before = await pos(page);
  await page.keyboard.press(key);
  const want = key === 'ArrowRight' ? before + 1 : before - 1;
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, want);
}

const flying = (page) =>
  page.locator('.topology .pkt.flying').evaluateAll((els) => els.map((e) => e.dataset.label));
const socketState = (page, host, fd) =>
  page.locator(`.topology [data-host="${host}"] .socket[data-fd="${fd}"]`).getAttribute('data-state');
const arrows = (page) => page.locator('.sequence .arrow').count();

/** Steps until a packet is in flight (at most `max` steps). */
async function stepUntilFlying(page, max = 40) {
  for (let i = 0; i < max; i++) {
    if ((await flying(page)).length > 0) return;
    await step(page);
  }
  throw new Error('no packet ever flew');
}

test('the handshake lesson, step by step: SYN, SYN-ACK, ACK and both sockets’ states, then back', async () => {
  const { context, page, problems } = await open();
  assert.equal(await pos(page), 0);
  await stepUntilFlying(page);
  // 1: the SYN is on its way; the client waits in SYN-SENT, the server listens.
  let f = await flying(page);
  assert.equal(f.length, 1);
  assert.match(f[0], /^SYN seq=\d+$/);
  assert.equal(await socketState(page, 'client', '3'), 'SYN-SENT');
  assert.equal(await socketState(page, 'server', '3'), 'LISTEN');
  assert.equal(await arrows(page), 1);
  const synPos = await pos(page);
  await page.screenshot({ path: join(SHOTS, 'handshake-1-syn.png') });

  // 2: the SYN arrives; the server's new connection answers SYN-ACK from SYN-RECEIVED.
  await step(page);
  f = await flying(page);
  assert.equal(f.length, 1);
  assert.match(f[0], /^SYN-ACK seq=\d+ ack=\d+$/);
  assert.equal(await socketState(page, 'server', '–'), 'SYN-RECEIVED');
  assert.equal(await socketState(page, 'client', '3'), 'SYN-SENT');
  assert.equal(await arrows(page), 2);

  // 3: the SYN-ACK arrives; the client is ESTABLISHED and sends the final ACK.
  await step(page);
  f = await flying(page);
  assert.equal(f.length, 1);
  assert.match(f[0], /^ACK \d+$/);
  assert.equal(await socketState(page, 'client', '3'), 'ESTABLISHED');
  assert.equal(await socketState(page, 'server', '–'), 'SYN-RECEIVED');
  assert.equal(await arrows(page), 3);
  await page.screenshot({ path: join(SHOTS, 'handshake-3-ack.png') });

  // 4: connect() has returned, so the client's next line runs at once: "hello"
  // leaves right behind the final ACK, before the server has accepted.
  await step(page);
  f = await flying(page);
  assert.equal(f.length, 2);
  assert.match(f[0], /^ACK \d+$/);
  assert.match(f[1], /^PSH 5 bytes /);
  assert.equal(await socketState(page, 'server', '–'), 'SYN-RECEIVED');
  // The script shows send() as done and the server's accept() still blocked.
  assert.match(await page.locator('.sline[data-line="36"] .outcome').textContent(), /→ 5/);
  assert.match(await page.locator('.sline[data-line="27"]').getAttribute('class'), /\bblocked\b/);

  // 5: the ACK arrives; accept() returns fd 4, ESTABLISHED.
  await step(page);
  f = await flying(page);
  assert.equal(f.length, 1);
  assert.match(f[0], /^PSH 5 bytes /);
  assert.equal(await socketState(page, 'server', '4'), 'ESTABLISHED');
  assert.equal(await page.locator('.fsm-state.current').getAttribute('data-state'), 'ESTABLISHED');
  assert.match(await page.locator('.sline[data-line="27"] .outcome').textContent(), /→ 4/);
  await page.screenshot({ path: join(SHOTS, 'handshake-4-established.png'), fullPage: true });

  // Back, exactly: accept() blocked again and the ACK in flight, then the
  // SYN-ACK, then the SYN.
  await step(page, 'ArrowLeft');
  assert.equal((await flying(page)).length, 2);
  assert.equal(await page.locator('.sline[data-line="27"] .outcome').textContent(), '… blocked');
  await step(page, 'ArrowLeft');
  assert.match((await flying(page))[0], /^ACK \d+$/);
  assert.equal(await socketState(page, 'server', '–'), 'SYN-RECEIVED');
  await step(page, 'ArrowLeft');
  assert.match((await flying(page))[0], /^SYN-ACK /);
  assert.equal(await socketState(page, 'client', '3'), 'SYN-SENT');
  await step(page, 'ArrowLeft');
  assert.equal(await pos(page), synPos);
  assert.match((await flying(page))[0], /^SYN seq=/);
  assert.equal(await arrows(page), 1);
  // Home and End.
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
  // Clicking a call in the sequence diagram jumps to that moment.
  await page.locator('.sequence .note.call', { hasText: 'connect(3' }).click();
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, synPos);
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#position')?.dataset.pos === '0');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the inspector shows a SYN’s flags and highlights a field in both views', async () => {
  const { context, page, problems } = await open();
  await stepUntilFlying(page);
  await page.locator('.topology .pkt.flying').first().click();
  const flagsRow = page.locator('.inspector .field[data-field="data offset / flags"]');
  await flagsRow.waitFor();
  const flags = await flagsRow.locator('.fvalue').textContent();
  assert.match(flags, /\bSYN\b/);
  assert.doesNotMatch(flags, /\bACK\b/);
  assert.match(await page.locator('.inspector .summary').textContent(), /Flags \[S\]/);
  // The timestamps option's first two bytes are its kind and length (08 0a), not a number (2058).
  const tsOption = page.locator('.inspector .field[data-field="timestamps option"] .fvalue');
  assert.equal(await tsOption.textContent(), 'kind 8 · length 10');
  await flagsRow.hover();
  assert.equal(await page.locator('.inspector .byte.hot').count(), 2);
  await page.locator('.inspector .hex .byte').nth(33).hover(); // a byte of the TCP flags
  assert.equal(await page.locator('.inspector .field.hot').getAttribute('data-field'), 'data offset / flags');
  await page.locator('.inspector-card').screenshot({ path: join(SHOTS, 'inspector-syn.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('hosts and sockets say what is true of them: closed, UDP, and a listener counting connections', async () => {
  // The tour at step 20: the client has closed its only socket.
  const { context, page, problems } = await open('#lesson=tour&pos=20');
  const client = page.locator('.topology [data-host="client"]');
  await client.locator('.host-empty').waitFor();
  assert.equal(await client.locator('.host-empty').textContent(), 'no sockets');
  // The listener's queues count connections, not bytes.
  await page.locator('.topology [data-host="server"] .socket[data-fd="3"]').click();
  const queues = page.locator('.buffers .bar-nums');
  await queues.first().waitFor();
  const nums = await queues.allTextContents();
  assert.ok(nums.some((n) => /^ready \d+ \/ \d+$/.test(n)), nums.join(' | '));
  assert.ok(nums.every((n) => !/(half-open|ready).* B$/.test(n)), nums.join(' | '));
  assert.deepEqual(problems, []);
  await context.close();
  // A UDP socket reads "fd 3 UDP", its protocol once.
  const other = await open('#lesson=udp_ten&pos=10');
  const udp = other.page.locator('.topology .socket .socket-head').first();
  await udp.waitFor();
  assert.match(await udp.textContent(), /^fd \d+ UDP\s*$/);
  assert.deepEqual(other.problems, []);
  await other.context.close();
});

test('no arrow is drawn over a packet’s words in the sequence diagram', async () => {
  // fast_retransmit at step 32: nine ACKs cross the lanes; later shafts ran
  // through earlier words ("[TCP Dup ACK 2#1]").
  const { context, page, problems } = await open('#lesson=fast_retransmit&pos=32');
  await page.locator('.sequence .analysis').first().waitFor();
  const covered = await page.locator('.sequence .analysis').evaluateAll((els) =>
    els.flatMap((t) => {
      // In view (elementFromPoint sees only the viewport), clear of the sticky controls.
      t.scrollIntoView({ block: 'center', behavior: 'instant' });
      const r = t.getBoundingClientRect();
      if (r.bottom < 0 || r.top > innerHeight) return [`${t.textContent} not in view`];
      // The middle and both ends of the word, just inside it.
      return [r.left + 2, (r.left + r.right) / 2, r.right - 2]
        .map((x) => document.elementFromPoint(x, (r.top + r.bottom) / 2))
        .filter((hit) => hit && !hit.closest('.arrow-words'))
        .map((hit) => `${t.textContent} under ${hit.closest('[class]')?.getAttribute('class')}`);
    }),
  );
  assert.ok((await page.locator('.sequence .analysis').count()) >= 5, 'the Dup ACKs are labelled');
  assert.deepEqual(covered, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sequence diagram keeps its times in view when the current event fits', async () => {
  // http_requests at step 33, beside its companion: each diagram is a little
  // wider than its box, and centring on the event slid it sideways, so the
  // times at its left edge read "0 ms" for 40, 50 and 60 ms.
  const { context, page, problems } = await open('#lesson=http_requests&pos=33');
  const scrollers = page.locator('.seq-scroll');
  await scrollers.first().waitFor();
  await page.waitForTimeout(1200); // smooth scrolling settles
  const seen = await scrollers.evaluateAll((els) =>
    els.map((el) => {
      const box = el.getBoundingClientRect();
      const current = [...el.querySelectorAll('.note.current, .arrow.current')].map((c) => c.getBoundingClientRect());
      const fits = current.every((r) => r.right - box.left <= el.clientWidth);
      return { left: el.scrollLeft, fits, wider: el.scrollWidth > el.clientWidth, current: current.length };
    }),
  );
  assert.ok(seen.length >= 2, 'the lesson and its companion');
  assert.ok(seen.some((s) => s.wider), JSON.stringify(seen));
  for (const s of seen.filter((s) => s.fits && s.current > 0)) assert.equal(s.left, 0, JSON.stringify(seen));
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the times stay at the diagram’s left edge when it follows the action sideways', async () => {
  // fast_retransmit at step 32, 390 px wide: the diagram scrolled 17 px to
  // show the server's recv(), and its times read "ms".
  const { context, page, problems } = await open('#lesson=fast_retransmit&pos=32', { width: 390, height: 844 });
  const scroller = page.locator('.seq-scroll').first();
  await scroller.waitFor();
  await page.waitForTimeout(1200); // smooth scrolling settles
  await scroller.evaluate((el) => el.scrollIntoView({ block: 'center', behavior: 'instant' }));
  const seen = await scroller.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const times = [...el.querySelectorAll('.times .time')]
      .map((t) => t.getBoundingClientRect())
      .filter((r) => r.bottom > box.top && r.top < box.bottom);
    const dot = [...el.querySelectorAll('.note.current')].map((n) => n.getBoundingClientRect().right);
    // What lies under the times takes the taps (a packet's label there).
    const under = times.map((r) => document.elementFromPoint(r.left + 2, r.top + r.height / 2));
    const blocks = under.filter((u) => u && u.closest('.times')).length;
    const hit = under.filter((u) => u).length;
    return { left: el.scrollLeft, box: [box.left, box.right], times: times.map((r) => r.left), dot, blocks, hit };
  });
  assert.ok(seen.left > 0 && seen.times.length > 0 && seen.hit > 0, JSON.stringify(seen));
  assert.equal(seen.blocks, 0, JSON.stringify(seen));
  for (const x of seen.times) assert.ok(x >= seen.box[0], JSON.stringify(seen));
  assert.ok(seen.dot.every((x) => x <= seen.box[1]), JSON.stringify(seen));
  await page.locator('.sequence-card').screenshot({ path: join(SHOTS, 'sequence-phone-times.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('Korean and English switch the whole page', async () => {
  const { context, page, problems } = await open();
  await stepUntilFlying(page);
  await page.getByRole('button', { name: '한국어' }).click();
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  assert.match(await page.locator('.explain').textContent(), /SYN/);
  assert.match(await page.locator('.explain').textContent(), /[가-힣]/);
  await page.screenshot({ path: join(SHOTS, 'ko-handshake.png') });
  // Words the page used to leave in English.
  await page.locator('.topology .pkt.flying').first().click();
  await page.locator('.inspector .field').first().waitFor();
  const text = await page.locator('body').innerText();
  for (const en of ['in-flight', 'not yet ACKed', 'unsent', 'source port', 'header checksum', 'listening', 'from accept()', 'bytes']) {
    assert.ok(!text.includes(en), `"${en}" is still English on the Korean page`);
  }
  assert.match(await page.locator('.sequence-card').innerText(), /리스닝/);
  assert.match(await page.locator('.inspector').innerText(), /출발지 포트/);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Sequence diagram' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Korean page labels packets in Korean: sizes in 바이트 on the diagrams, the inspector and the explanation', async () => {
  // The labels said "5 bytes" on every arrow and in the middle of Korean sentences.
  const { context, page, problems } = await open('#lesson=tour');
  await page.getByRole('button', { name: '한국어' }).click();
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('#step-forward')?.disabled);
  const sequence = await page.locator('.sequence-card').innerText();
  assert.match(sequence, /PSH 5바이트 seq=1/);
  assert.ok(!/\bbytes? seq=/.test(sequence), sequence);
  await page.locator('.sequence .arrow-words[data-label="PSH 5바이트 seq=1"]').first().click();
  await page.locator('.inspector .insp-label').waitFor();
  assert.match(await page.locator('.inspector .insp-label').textContent(), /^PSH 5바이트 seq=1$/);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Sets a "break it" slider as a person would (input, then change on release). */
async function setKnob(page, knob, value) {
  await page.locator(`.break-it input[data-knob="${knob}"]`).first().evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

test('a shared URL restores lesson, position and changes; a bad one explains itself', async () => {
  const { context, page, problems } = await open();
  for (let i = 0; i < 4; i++) await step(page);
  await setKnob(page, 'loss', 30);
  await page.waitForFunction(() => location.hash.includes('link'));
  for (let i = 0; i < 3; i++) await step(page);
  const url = page.url();
  const here = await pos(page);
  const counts = await page.locator('#counts').textContent();
  assert.match(url, /#lesson=tour&pos=\d+&edits=\d+:link:0:0\.3:/);

  const other = await open(url.slice(served.server.url.length));
  assert.equal(await pos(other.page), here);
  assert.equal(await other.page.locator('#counts').textContent(), counts);
  assert.equal(await other.page.locator('.break-it input[data-knob="loss"]').inputValue(), '30');
  assert.match(await other.page.locator('.topology .faults').textContent(), /loss 30%/);
  assert.deepEqual(other.problems, []);
  await other.context.close();

  const bad = await open('#lesson=tour&pos=banana');
  const notice = bad.page.getByRole('alert');
  await notice.waitFor();
  assert.match(await notice.textContent(), /banana/);
  assert.ok(await bad.page.locator('svg [data-host="client"]').isVisible());
  await bad.page.screenshot({ path: join(SHOTS, 'bad-fragment.png') });
  await bad.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link pasted into the open page’s address bar opens where it says', async () => {
  // Only the fragment changes, so the page is not loaded again: it stayed on
  // handshake step 6 while the address and the share box said four_way_close.
  const { context, page, problems } = await open('#lesson=handshake&pos=6');
  await page.evaluate(() => { location.hash = '#lesson=four_way_close&pos=5'; });
  await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.pos) === 5);
  assert.equal(await page.locator('#lesson-select').inputValue(), 'four_way_close');
  assert.match(await page.locator('input.share-url').inputValue(), /^#lesson=four_way_close&pos=5$/);
  // Stepping writes the address again, and that is no new link to follow.
  await step(page);
  assert.equal(await pos(page), 6);
  assert.match(page.url(), /#lesson=four_way_close&pos=6$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('UDP with the loss slider raised: fewer datagrams arrive than were sent', async () => {
  const { context, page, problems } = await open();
  await page.locator('#lesson-select').selectOption('udp_ten');
  await page.waitForFunction(() => location.hash.includes('udp_ten'));
  await setKnob(page, 'loss', 50);
  await page.waitForFunction(() => location.hash.includes('0.5'));
  await page.getByRole('button', { name: 'Jump to end' }).click();
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
  const c = page.locator('#counts');
  const sent = Number(await c.getAttribute('data-sent'));
  const delivered = Number(await c.getAttribute('data-delivered'));
  const lost = Number(await c.getAttribute('data-lost'));
  assert.equal(sent, 10);
  assert.ok(delivered < sent, `${delivered} of ${sent} delivered`);
  assert.equal(delivered + lost, sent);
  assert.ok((await page.locator('.sequence .arrow.lost').count()) >= 1);
  // The server's socket counts what reached it.
  await page.locator('.topology [data-host="server"] .socket').first().click();
  assert.equal(Number(await page.locator('.udp-stats [data-delivered]').getAttribute('data-delivered')), delivered);
  // The script pane tells the same story as the counters: the lesson's
  // "every datagram arrives" no longer holds, because of the change.
  const expectation = page.locator('.sline', { hasText: 'expect delivered server u 10' });
  assert.match(await expectation.getAttribute('class'), /\bchanged\b/);
  assert.match(await expectation.locator('.outcome').textContent(), new RegExp(`✗ ${delivered}\\b`));
  assert.match(await expectation.locator('.because').textContent(), /loss 50%/);
  await page.screenshot({ path: join(SHOTS, 'udp-loss.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('dropping a data segment in flight brings its retransmission', async () => {
  const { context, page, problems } = await open();
  let data = null;
  for (let i = 0; i < 40 && !data; i++) {
    await step(page);
    data = (await flying(page)).find((l) => l.startsWith('PSH'));
  }
  assert.ok(data, 'a data segment flew');
  await page.locator(`.topology .pkt.flying[data-label="${data}"]`).click();
  await page.getByRole('button', { name: /Drop this packet/ }).click();
  await page.waitForFunction(() => location.hash.includes('drop'));
  assert.equal(await page.locator('.topology .pkt.doomed').count(), 1);
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await step(page);
    found = (await page.locator('.topology .pkt.flying .pkt-note').allTextContents()).some((t) =>
      t.includes('Retransmission'),
    );
  }
  assert.ok(found, 'a retransmission flew');
  // The same bytes again (the FIN may ride along): same sequence number.
  const again = await page.locator('.topology .pkt.flying:has(.pkt-note)').first().getAttribute('data-label');
  assert.equal(again.match(/seq=(\d+)/)[1], data.match(/seq=(\d+)/)[1]);
  assert.ok((await page.locator('.sequence .arrow.lost').count()) >= 1);
  await page.screenshot({ path: join(SHOTS, 'drop-retransmission.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

/** Median and max milliseconds from a click on `selector` to the position changing in the DOM. */
async function clickLatency(page, selector, n) {
  return page.evaluate(
    async ({ selector, n }) => {
      const pos = document.querySelector('#position');
      const out = [];
      for (let i = 0; i < n; i++) {
        const before = pos.dataset.pos;
        const changed = new Promise((ok) => {
          const obs = new MutationObserver(() => {
            if (pos.dataset.pos !== before) {
              obs.disconnect();
              ok();
            }
          });
          obs.observe(pos, { attributes: true });
        });
        const t0 = performance.now();
        document.querySelector(selector).click();
        await changed;
        out.push(performance.now() - t0);
        await new Promise((ok) => requestAnimationFrame(() => ok()));
      }
      out.sort((a, b) => a - b);
      return { median: out[Math.floor(out.length / 2)], max: out.at(-1), n: out.length };
    },
    { selector, n },
  );
}

// Tests assert behaviour, benchmarks assert speed: the figures go to the log, and the
// bounds here only catch a pathological regression on a loaded machine.
test('stepping stays quick (figures in the log)', async () => {
  const { context, page, problems } = await open('#lesson=tour&pos=0&edits=0:link:0:1:0:0:10000');
  const fwd = await clickLatency(page, '#step-forward', 10);
  console.log(`tour, 100% loss: step ${fwd.median.toFixed(1)} ms median, ${fwd.max.toFixed(1)} ms max (${fwd.n} steps)`);
  assert.ok(fwd.median < 500, `median step ${fwd.median} ms`);
  // A bigger lesson: slow start moves 300 KB (about 1000 trace events).
  const t0 = Date.now();
  const big = await open('#lesson=slow_start&pos=300');
  const load = Date.now() - t0;
  const total = Number(await big.page.locator('#position').getAttribute('data-total'));
  const f = await clickLatency(big.page, '#step-forward', 20);
  const b = await clickLatency(big.page, '#step-back', 20);
  console.log(
    `slow_start (${total} steps, loaded in ${load} ms): forward ${f.median.toFixed(1)} ms median / ${f.max.toFixed(1)} max;` +
      ` back ${b.median.toFixed(1)} ms median / ${b.max.toFixed(1)} max`,
  );
  assert.ok(f.median < 500 && b.median < 500, `forward ${f.median} ms, back ${b.median} ms`);
  assert.deepEqual(big.problems, []);
  await big.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the socket console makes a call and explains its errno', async () => {
  const { context, page, problems } = await open('#lesson=handshake');
  await page.locator('.console select').selectOption('client');
  await page.locator('#console-input').fill('x = socket(tcp)');
  await page.locator('#console-input').press('Enter');
  await page.waitForFunction(() => location.hash.includes('lesson=sandbox'));
  await page.locator('.console select').selectOption('client');
  await page.locator('#console-input').fill('connect(x, 10.0.0.1:81)');
  await page.locator('#console-input').press('Enter');
  await page.locator('#console-out').filter({ hasText: 'ECONNREFUSED' }).waitFor();
  assert.match(await page.locator('#console-out').textContent(), /refused: nothing listens/);
  // Each call went in where the learner stood: the second right after the first.
  assert.match(await page.locator('.script-text').inputValue(), /client: x = socket\(tcp\)\nclient: connect\(x, 10\.0\.0\.1:81\)\n/);
  // Nothing before its time: the page stands where the connect returned.
  assert.match(await page.locator('.sline', { hasText: 'connect(x, 10.0.0.1:81)' }).locator('.outcome').textContent(), /ECONNREFUSED/);
  await page.locator('.console-card').screenshot({ path: join(SHOTS, 'console.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a script lesson from the library runs, and the sandbox shows errors at their line', async () => {
  const { context, page, problems } = await open();
  const options = await page.locator('#lesson-select option').count();
  assert.ok(options >= 20, `${options} lessons in the picker`);
  await page.locator('#lesson-select').selectOption('handshake');
  await page.waitForFunction(() => location.hash.includes('lesson=handshake'));
  assert.match(await page.locator('.lesson .about').textContent(), /SYN/);
  await page.locator('#step-forward').focus();
  await stepUntilFlying(page);
  assert.match((await flying(page))[0], /^SYN seq=/);
  assert.equal(await page.locator('.script-lines .sline.current').count(), 1);
  assert.match(await page.locator('.script-lines .sline.current').textContent(), /connect/);
  await page.screenshot({ path: join(SHOTS, 'script-lesson.png'), fullPage: true });

  await page.locator('#lesson-select').selectOption('sandbox');
  const editor = page.locator('.script-text');
  await editor.waitFor();
  await editor.fill('host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 5ms\na: s = sockett(udp)\n');
  await page.locator('#run-script').click();
  const err = page.locator('.script-error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-line'), '4');
  assert.ok(await page.locator('svg [data-host]').first().isVisible(), 'the page lives on');
  // The lines below are the last good run's, and the pane says so.
  assert.match(await page.locator('.stale-run').textContent(), /did not run: the lines below and the diagrams are still the last run/);
  await page.locator('.script-card').screenshot({ path: join(SHOTS, 'sandbox-error.png') });
  await editor.fill('host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 5ms\nb: r = socket(udp)\nb: bind(r, 10.0.0.2:7) = 0\na: s = socket(udp)\na: sendto(s, "hi", 10.0.0.2:7) = 2\n');
  await page.locator('#run-script').click();
  await page.waitForFunction(() => !document.querySelector('.script-error'));
  assert.equal(await page.locator('.stale-run').count(), 0, 'a run that worked is not called stale');
  await page.getByRole('button', { name: 'Jump to end' }).click();
  assert.equal(await page.locator('#counts').getAttribute('data-delivered'), '1');
  // The sandbox travels in the link too.
  const url = page.url();
  assert.match(url, /lesson=sandbox.*script=/);
  const other = await open(url.slice(served.server.url.length));
  assert.match(await other.page.locator('.script-text').inputValue(), /sendto\(s, "hi"/);
  await other.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('lines after a last wait in which nothing happens get their verdict at the end', async () => {
  // The datagram is out at 10 ms; the script then waits 50 ms with nothing to
  // happen, so the expectation after the wait has no event of its own.
  const script = 'host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 10ms\na: s = socket(udp)\n' +
    'a: sendto(s, "hi", 10.0.0.2:9) = 2\n+50ms\nexpect sent a > b 1\nexpect sent a > b 2\n';
  const { context, page, problems } = await open(`#lesson=sandbox&pos=0&script=${encodeURIComponent(script)}`);
  await page.getByRole('button', { name: 'Jump to end' }).click();
  const line = (n) => page.locator(`.script-lines .sline[data-line="${n}"]`);
  await line(7).and(page.locator('.done')).waitFor();
  assert.match(await line(7).textContent(), /✓/);
  assert.match(await line(8).textContent(), /✗ 1/);
  assert.match(await page.locator('.script-lines .failure').textContent(), /^line 8: expected/);
  // In Korean, as the notice above it is (it stayed English).
  await page.getByRole('button', { name: '한국어' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.match(await page.locator('.script-lines .failure').textContent(), /^8행: 기대한 결과: /);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sandbox’s error box speaks the page’s language', async () => {
  // It kept the parser's English in the Korean page.
  const { context, page, problems } = await open();
  await page.locator('#lesson-select').selectOption('sandbox');
  await page.getByRole('button', { name: '한국어' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  const editor = page.locator('.script-text');
  await editor.fill('host a 10.0.0.1\nhost b (\n');
  await page.locator('#run-script').click();
  const box = page.locator('.script-error');
  await box.waitFor();
  assert.match(await box.textContent(), /줄 2, 열 8: 여기에 와야 할 것: 10\.0\.0\.1 같은 IPv4 주소/);
  assert.doesNotMatch(await box.textContent(), /expected|found/);
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await box.textContent(), /line 2, column 8: expected an IPv4 address/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the sandbox’s error box stays in its card, its caret under its column, Korean or not', async () => {
  // The caret stood 5 columns early under "안녕하세요" (a count of spaces under
  // double-width glyphs), and a long line pushed the editor past the card.
  const { context, page, problems } = await open('', { width: 390, height: 844 });
  await page.locator('#lesson-select').selectOption('sandbox');
  const editor = page.locator('.script-text');
  await editor.waitFor();
  const lines = [
    'a: sendto(s, "안녕하세요", 10.0.0.2:9) x',
    'a: sendto(s, "a fairly long payload string here", 10.0.0.2:9999, 12) = 5',
  ];
  for (const line of lines) {
    await editor.fill(`host a 10.0.0.1\nhost b 10.0.0.2\nlink a b\na: s = socket(udp)\n${line}\n`);
    await page.locator('#run-script').click();
    const box = page.locator('.script-error');
    await box.waitFor();
    const at = await box.evaluate((b) => {
      const pre = b.querySelector('pre');
      const text = pre.firstChild;
      const before = pre.querySelector('.caret-pad').textContent.length;
      const col = text.textContent.indexOf('| ') + 2 + before;
      const range = (node, i) => {
        const r = document.createRange();
        r.setStart(node, i);
        r.setEnd(node, i + 1);
        return r.getBoundingClientRect().left;
      };
      const seen = pre.getBoundingClientRect();
      return { column: range(text, col), caret: range(pre.lastChild, 0), shown: text.textContent[col], seen };
    });
    assert.ok(Math.abs(at.column - at.caret) < 1, `${line}: the caret at ${at.caret}, its column ('${at.shown}') at ${at.column}`);
    // Scrolled to it: the caret is in the box's view, not past its edge.
    assert.ok(at.caret > at.seen.left && at.caret + 7 < at.seen.right + 1, `${line}: ${JSON.stringify(at)}`);
    const right = await page.evaluate(() => ({
      editor: document.querySelector('.script-text').getBoundingClientRect().right,
      card: document.querySelector('.script-card').getBoundingClientRect().right,
      page: document.documentElement.scrollWidth,
    }));
    assert.ok(right.editor <= right.card && right.page <= 390, `${line}: ${JSON.stringify(right)}`);
    await page.getByRole('button', { name: '한국어' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  }
  await page.locator('.script-card').screenshot({ path: join(SHOTS, 'sandbox-error-phone.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sandbox keeps the learner’s unsaved edits when the page is drawn again', async () => {
  const { context, page, problems } = await open();
  await page.locator('#lesson-select').selectOption('sandbox');
  const editor = page.locator('.script-text');
  await editor.waitFor();
  await editor.fill('host a 10.0.0.1\nhost b (\n');
  await page.locator('#run-script').click();
  await page.locator('.script-error').waitFor();
  // Not run yet: switching language draws the editor again, and must not put the
  // last run script back over the text.
  const edited = 'host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 5ms\na: s = socket(udp)\n';
  await editor.fill(edited);
  await page.getByRole('button', { name: '한국어' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.equal(await editor.inputValue(), edited);
  // The code's language is its own, not the page's (a switch would lay it all out again).
  assert.equal(await editor.getAttribute('lang'), '');
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await editor.inputValue(), edited);
  await page.locator('#run-script').click();
  await page.waitForFunction(() => !document.querySelector('.script-error'));
  assert.equal(await editor.inputValue(), edited);
  assert.deepEqual(problems, []);
  await context.close();
});

test('play steps on its own at the chosen speed; space pauses', async () => {
  const { context, page, problems } = await open();
  await page.locator('.controls select.speed').selectOption('175');
  await page.locator('h1').click(); // focus back on the page, not the select
  await page.keyboard.press(' ');
  await page.waitForFunction(() => Number(document.querySelector('#position').dataset.pos) >= 3);
  await page.keyboard.press(' ');
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
  const paused = await pos(page);
  await page.waitForTimeout(600);
  assert.equal(await pos(page), paused);
  assert.deepEqual(problems, []);
  await context.close();
});

test('cutting the link makes the SYN retransmit; repairing it lets the handshake through', async () => {
  const { context, page, problems } = await open('#lesson=handshake');
  await page.getByRole('button', { name: /Cut the link/ }).click();
  await page.waitForFunction(() => location.hash.includes(':cut:0'));
  assert.equal(await page.locator('.topology .link.cut').count(), 1);
  let retransmitted = false;
  for (let i = 0; i < 40 && !retransmitted; i++) {
    await step(page);
    retransmitted = (await page.locator('.sequence .analysis').allTextContents()).some((t) => t.includes('Retransmission'));
  }
  assert.ok(retransmitted, 'the SYN was sent again');
  assert.equal(await page.locator('#counts').getAttribute('data-delivered'), '0');
  await page.screenshot({ path: join(SHOTS, 'cut-link.png'), fullPage: true });
  await page.getByRole('button', { name: 'Repair the link' }).click();
  await page.waitForFunction(() => location.hash.includes(':repair:0'));
  await page.getByRole('button', { name: 'Jump to end' }).click();
  assert.ok(Number(await page.locator('#counts').getAttribute('data-delivered')) > 0);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Each lifeline of the sequence diagram: its host and address, its descriptor and role, its x. */
const lanes = (page) =>
  page.locator('.sequence .lane').evaluateAll((els) =>
    els.map((e) => ({
      lane: e.dataset.lane,
      detail: e.dataset.detail,
      x: Number(e.querySelector('line:not(.unborn)').getAttribute('x1')),
    })),
  );
/** Where a packet's arrow starts and ends (x), by the start of its label. */
const arrowEnds = (page, label) =>
  page
    .locator(`.sequence .arrow[data-label^="${label}"] .shaft`)
    .first()
    .evaluate((l) => [Number(l.getAttribute('x1')), Number(l.getAttribute('x2'))]);

test('a socket’s lifeline is called listening only once it has called listen()', async () => {
  // "fd 3 · listening" stood over the server's lifeline from its socket() on,
  // beside a quiz that asked which state follows CLOSED.
  const { context, page, problems } = await open('#lesson=tour&pos=0');
  const seen = [];
  for (let i = 0; i < 8; i++) {
    await page.locator('#step-forward').click();
    const line = (await page.locator('.script-lines .sline.current').textContent()) ?? '';
    const server = (await lanes(page)).find((l) => l.lane.startsWith('server ') && /^fd 3/.test(l.detail ?? ''));
    seen.push({ line, detail: server?.detail ?? null });
  }
  const at = seen.findIndex((s) => /listen\(/.test(s.line));
  assert.ok(at > 0 && seen.slice(0, at).some((s) => s.detail !== null), JSON.stringify(seen));
  for (const [i, s] of seen.entries()) {
    if (s.detail === null) continue;
    assert.equal(/listening/.test(s.detail), i >= at, JSON.stringify(seen));
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sequence diagram draws one lifeline per socket: the listener and the accepted socket apart', async () => {
  const { context, page, problems } = await open('#lesson=tour');
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
  const all = await lanes(page);
  const client = all.find((l) => /^client 10\.0\.0\.2:\d+$/.test(l.lane));
  const listener = all.find((l) => l.lane === 'server 10.0.0.1:80' && /listening/.test(l.detail));
  const accepted = all.find((l) => l.lane === 'server 10.0.0.1:80' && /accept/.test(l.detail));
  assert.ok(client && listener && accepted, JSON.stringify(all));
  assert.equal(all.length, 3, JSON.stringify(all));
  assert.match(client.detail, /^fd 3$/);
  assert.match(listener.detail, /^fd 3 /);
  assert.match(accepted.detail, /^fd 4 /);
  // The SYN goes to the listener; the SYN-ACK comes back from the new socket, and the
  // data goes to it too.
  assert.deepEqual(await arrowEnds(page, 'SYN seq'), [client.x, listener.x]);
  assert.deepEqual(await arrowEnds(page, 'SYN-ACK'), [accepted.x, client.x]);
  assert.deepEqual(await arrowEnds(page, 'PSH'), [client.x, accepted.x]);
  // The blocked accept() waits on the listener's lifeline.
  const wait = await page.locator('.sequence .wait').evaluateAll((els) => els.map((e) => Number(e.getAttribute('x1'))));
  assert.ok(wait.some((x) => Math.abs(x - listener.x) < 10), `${wait} near ${listener.x}`);
  await page.locator('.sequence-card').screenshot({ path: join(SHOTS, 'sequence-lifelines.png') });
  // A socket is picked by keyboard too, and space on it does not start playing.
  await page.locator('.topology [data-host="server"] .socket[data-fd="3"]').focus();
  await page.keyboard.press(' ');
  await page.locator('.topology [data-host="server"] .socket.selected[data-fd="3"]').waitFor();
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(problems, []);
  await context.close();
});

test('picking connect() links its SYN, its states, the RST and ECONNREFUSED in every view', async () => {
  const { context, page, problems } = await open('#lesson=connection_refused');
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
  // By keyboard: focus the note of the refused connect() and press Enter.
  const connect = page.locator('.sequence .note.call', { hasText: 'connect(3, 10.0.0.1:81)' });
  await connect.focus();
  await page.keyboard.press('Enter');
  await page.locator('.sequence .note.linked').first().waitFor();
  // It jumped to the call: the SYN is on its way, linked in the network view too.
  assert.match((await flying(page))[0], /^SYN seq=/);
  assert.equal(await page.locator('.topology .pkt.linked').count(), 1);
  assert.match(await page.locator('.topology .pkt.linked').getAttribute('data-label'), /^SYN seq=/);
  assert.equal(
    await page.locator('.fsm .edge.linked').evaluateAll((els) => els.map((e) => `${e.dataset.from}>${e.dataset.to}`).join()),
    'CLOSED>SYN-SENT',
  );
  // At the end the whole story is linked: SYN, RST, both states, the errno; the later
  // connect() to port 80 is not.
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const p = document.querySelector('#position');
    return p && p.dataset.pos === p.dataset.total;
  });
  const linkedArrows = await page.locator('.sequence .arrow.linked').evaluateAll((els) => els.map((e) => e.dataset.label));
  assert.equal(linkedArrows.length, 2, linkedArrows.join(' | '));
  assert.match(linkedArrows[0], /^SYN seq=/);
  assert.match(linkedArrows[1], /^RST/);
  const linkedNotes = (await page.locator('.sequence .note.linked').allTextContents()).join(' | ');
  for (const want of ['connect(3, 10.0.0.1:81)', 'SYN-SENT', 'CLOSED', 'ECONNREFUSED']) {
    assert.ok(linkedNotes.includes(want), `${want} in ${linkedNotes}`);
  }
  assert.ok(!linkedNotes.includes(':80) = 0'), linkedNotes);
  // The script line that made the call is marked too.
  const lines = await page.locator('.script-lines .sline.linked').allTextContents();
  assert.ok(lines.some((l) => l.includes('connect(c, 10.0.0.1:81)')), lines.join(' | '));
  assert.ok(!lines.some((l) => l.includes('connect(c, 10.0.0.1:80)')), lines.join(' | '));
  // The state machine of the client's socket shows the linked transitions.
  await page.locator('.topology [data-host="client"] .socket[data-fd="3"]').click();
  await page.locator('.fsm .edge.linked[data-from="SYN-SENT"][data-to="CLOSED"]').waitFor();
  await page.screenshot({ path: join(SHOTS, 'linked-refused.png'), fullPage: true });
  // Picking a packet (its label, drawn over the arrows) links back the other
  // way: the RST brings its connect() along.
  await page.locator('.sequence .arrow-words[data-label^="RST"]').click();
  await page.locator('.sequence .note.call.linked', { hasText: 'connect(3, 10.0.0.1:81)' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the edited run is the run: a cut link overturns the lesson’s expectations, each line saying why', async () => {
  const { context, page, problems } = await open('#lesson=handshake');
  // Nothing before its time: at the start, accept() and connect() show no result.
  assert.equal(await page.locator('.sline[data-line="29"] .outcome').textContent(), '');
  assert.equal(await page.locator('.sline[data-line="33"] .outcome').textContent(), '');
  await page.getByRole('button', { name: /Cut the link/ }).click();
  await page.waitForFunction(() => location.hash.includes(':cut:0'));
  await page.getByRole('button', { name: 'Jump to end' }).click();
  // The run is the changed one: connect() gave up, accept() never returned.
  await page.locator('.sline[data-line="33"] .outcome', { hasText: 'ETIMEDOUT' }).waitFor();
  assert.match(await page.locator('.sline[data-line="29"] .outcome').textContent(), /blocked/);
  // The expectation of ESTABLISHED no longer holds, as an outcome of the change.
  const established = page.locator('.sline[data-line="44"]');
  assert.match(await established.getAttribute('class'), /\bchanged\b/);
  assert.match(await established.textContent(), /✗ .*CLOSED/);
  assert.match(await established.locator('.because').textContent(), /after your change at 0\.000 s: link #0 cut/);
  assert.equal(await page.locator('.sline.failed').count(), 0, 'no line is shown as an error');
  assert.equal(await page.locator('.sline', { hasText: '✓' }).filter({ hasText: 'ESTABLISHED' }).count(), 0);
  assert.match(await page.getByRole('alert').first().textContent(), /your change altered the outcome/);
  // The failures listed under the lines read across the pane: in the line
  // number's column they were 36 px wide, one word a line.
  const failure = page.locator('.sline.failure code').first();
  await failure.scrollIntoViewIfNeeded();
  const [pane, message] = await Promise.all([page.locator('.script-lines').first().boundingBox(), failure.boundingBox()]);
  assert.ok(message.width > pane.width * 0.6, `${message.width} px wide in a ${pane.width} px pane`);
  await page.screenshot({ path: join(SHOTS, 'cut-link-outcome.png'), fullPage: true });
  // In Korean too.
  await page.getByRole('button', { name: '한국어' }).click();
  await page.locator('.sline[data-line="44"] .because', { hasText: '바꾼 조건' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('one numbering: relative seq and ack everywhere, absolute one click away, the inspector showing both', async () => {
  const { context, page, problems } = await open('#lesson=tour');
  await stepUntilFlying(page);
  assert.deepEqual(await flying(page), ['SYN seq=0']);
  await step(page);
  assert.deepEqual(await flying(page), ['SYN-ACK seq=0 ack=1']);
  assert.match(await page.locator('.explain').textContent(), /SYN-ACK seq=0 ack=1/);
  await page.locator('.topology .pkt.flying').first().click();
  const numbers = await page.locator('#numbers').textContent();
  const m = numbers.match(/^seq 0 = its ISN (\d+) \+ 0 · ack 1 = their ISN (\d+) \+ 1$/);
  assert.ok(m, numbers);
  // Absolute: the numbers as sent, in the diagrams and the inspector's label.
  await page.locator('#numbering').click();
  await page.locator('#numbering[aria-pressed="true"]').waitFor();
  assert.deepEqual(await flying(page), [`SYN-ACK seq=${m[1]} ack=${BigInt(m[2]) + 1n}`]);
  assert.match(await page.locator('.insp-label').textContent(), new RegExp(`seq=${m[1]}`));
  await page.locator('#numbering').click();
  await page.locator('#numbering[aria-pressed="false"]').waitFor();
  assert.deepEqual(await flying(page), ['SYN-ACK seq=0 ack=1']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the state machine says a UDP socket has no states rather than showing it as TCP', async () => {
  const { context, page, problems } = await open('#lesson=udp_ten&pos=12');
  const picker = page.locator('.fsm-card select');
  const udp = await picker.locator('option').evaluateAll((os) => os.filter((o) => /UDP/.test(o.textContent)).map((o) => o.value));
  assert.ok(udp.length > 0, 'the picker offers a UDP socket');
  await picker.selectOption(udp[0]);
  await page.locator('.fsm-udp-note').waitFor();
  assert.match(await page.locator('.fsm-udp-note').textContent(), /UDP keeps no connection state/);
  assert.equal(await page.locator('svg.fsm.faded').count(), 1);
  assert.equal(await page.locator('.fsm-state.current').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a run with no TCP segment offers no seq/ack numbering', async () => {
  // The UDP tour: datagrams have no sequence numbers to count from an ISN.
  const { context, page, problems } = await open('#lesson=udp_ten&pos=12');
  await page.locator('.sequence .arrow').first().waitFor();
  assert.equal(await page.locator('#numbering').count(), 0);
  await page.locator('#lesson-select').selectOption('handshake');
  await page.locator('#numbering').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('crowded moments stay readable: a burst of dup ACKs is a counted deck in view, a long recv() keeps its call', async () => {
  // fast_retransmit at step 20: nine dup ACKs leave the receiver at once.
  let { context, page, problems } = await open('#lesson=fast_retransmit&pos=20');
  await page.locator('.topology .pkt-deck').waitFor();
  assert.equal(await page.locator('.topology .pkt-deck').textContent(), '×9');
  const svg = await page.locator('svg.topology').boundingBox();
  const pkts = await page.locator('.topology .pkt rect').evaluateAll((els) =>
    els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })),
  );
  assert.equal(pkts.length, 10, 'nine ACKs and the lost segment');
  for (const r of pkts) {
    assert.ok(r.top >= svg.y - 0.5 && r.bottom <= svg.y + svg.height + 0.5, `${JSON.stringify(r)} inside ${JSON.stringify(svg)}`);
  }
  // Their Wireshark words are in their names, not drawn on each other.
  assert.equal(await page.locator('.topology .pkt-note').count(), 0);
  assert.ok((await page.locator('.topology .pkt[aria-label*="Dup ACK"]').count()) > 0);
  await page.locator('.topology').screenshot({ path: join(SHOTS, 'crowded-deck.png') });
  // In the sequence diagram the same ACKs are on their way: the labels drawn
  // at its bottom never cover each other, and the newest has one.
  const tags = await page.locator('.sequence .arrow-words.flying .arrow-tag rect').evaluateAll((els) =>
    els.map((e) => e.getBoundingClientRect()).map((r) => ({ l: r.left, r: r.right, t: r.top, b: r.bottom })),
  );
  assert.ok(tags.length > 0, 'packets on their way are labelled');
  for (let i = 0; i < tags.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [tags[i], tags[j]];
      const apart = a.r <= b.l + 0.5 || b.r <= a.l + 0.5 || a.b <= b.t + 0.5 || b.b <= a.t + 0.5;
      assert.ok(apart, `labels ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
    }
  }
  assert.equal(await page.locator('.sequence .arrow.flying[aria-label^="ACK 1 ["]').count(), 9, 'every ACK keeps its name');
  await page.locator('.seq-scroll').last().screenshot({ path: join(SHOTS, 'crowded-sequence.png') });
  assert.deepEqual(problems, []);
  await context.close();

  // zero_window at its end: recv() returned 4344 bytes beside the first lifelines.
  ({ context, page, problems } = await open('#lesson=zero_window'));
  await page.keyboard.press('End');
  const read = page.locator('.sequence .note[aria-label^="recv(4, 10000) = "][aria-label*="(4344 bytes)"]').first();
  await read.waitFor();
  const shown = await read.locator('text').textContent();
  assert.match(shown, /^recv\(4, 10000\) = "[a-z]+…"…\(4344 bytes\)$/);
  assert.equal(await read.locator('title').textContent(), await read.getAttribute('aria-label'));
  const box = await read.locator('text').boundingBox();
  const seq = await page.locator('.seq-scroll').boundingBox();
  assert.ok(box.x >= seq.x, `the note starts at ${box.x}, the diagram at ${seq.x}`);
  assert.deepEqual(problems, []);
  await context.close();
});
