// End-to-end speed of the release build (issues #6 and #8): how soon the page answers,
// what one step and one step back cost on a long lesson, the frame times while a busy
// lesson plays, and whether a long load leaves the page answering.
//
// Prints one `name value unit` line per figure (tools/bench-report.sh collects them).
// Timings are wall-clock and vary with the machine's load, so the tests assert
// behaviour (the position moved by exactly one, stepping back restores the page) and
// only bound pathological slowness loosely; the figures are for the report.
//
// SOCKLAB_DIST=dir serves another build (to compare profiles); the default is dist/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIST, startServer, launchChromium } from './serve.mjs';
import { crowdScript, LONG_LESSON_ROUNDS, pasteIntoSandbox, pingPongScript, recordFrameGaps } from './scenarios.mjs';


let server;
let browser;

before(async () => {
  server = await startServer({ dir: DIST, prefix: '/socklab/' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function report(name, value, unit) {
  console.log(`${name} ${Math.round(value * 10) / 10} ${unit}`);
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A fresh page; `interactive` is recorded in the page when the controls are first painted. */
async function open(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  await context.addInitScript(() => {
    // Polled once a frame: the first frame that holds the step button, once painted
    // (the rAF after it), is the first interactive one. Times are from navigation start.
    const poll = () => {
      if (document.querySelector('#step-forward')) {
        requestAnimationFrame(() => {
          window.__interactiveMs = performance.now();
        });
      } else {
        requestAnimationFrame(poll);
      }
    };
    requestAnimationFrame(poll);
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.waitForFunction(() => window.__interactiveMs !== undefined);
  return { context, page, problems };
}

const position = (page) =>
  page.locator('#position').evaluate((e) => ({ pos: Number(e.dataset.pos), total: Number(e.dataset.total) }));

/** Runs `script` in the sandbox and waits until the page shows it; returns the load's wall time. */
async function runInSandbox(page, script, timeout = 120_000) {
  await pasteIntoSandbox(page, script);
  const t0 = Date.now();
  await page.locator('#run-script').click();
  await page.waitForFunction(
    (n) => document.querySelector('.script-text')?.value.length === n && Number(document.querySelector('#position')?.dataset.total) > 100,
    script.length,
    { timeout },
  );
  await page.locator('#position[data-loading]').waitFor({ state: 'detached', timeout });
  return Date.now() - t0;
}

/** Moves to position `p` with the scrubber, as a learner dragging it would. */
async function seek(page, p) {
  await page.locator('.scrubber').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, p);
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, p);
}

/**
 * Clicks `selector` at the start of a frame and measures, in the page, until that
 * frame has been rendered: the click, the app's update and the browser's style,
 * layout and paint of the result (`ms`). The click is made in a rAF callback, and
 * a message posted there runs after that same frame's rendering, which happens in
 * the task that ran the callback.
 *
 * `nextFrameMs` is until the next frame has been rendered as well: a rAF requested
 * in a rAF callback waits for the next vsync, so it is never under one frame
 * interval (16.7 ms) however fast the step; it also counts the next frame's work
 * (the sequence diagram scrolls to the new event then).
 */
function timedClick(page, selector) {
  return page.evaluate(
    (sel) =>
      new Promise((done) => {
        requestAnimationFrame(() => {
          const t0 = performance.now();
          let ms;
          document.querySelector(sel).click();
          const own = new MessageChannel();
          own.port1.onmessage = () => {
            ms = performance.now() - t0;
          };
          own.port2.postMessage(0);
          requestAnimationFrame(() => {
            const ch = new MessageChannel();
            ch.port1.onmessage = () => done({ ms, nextFrameMs: performance.now() - t0 });
            ch.port2.postMessage(0);
          });
        });
      }),
    selector,
  );
}

/** What a step back must restore: position, time, counts, sockets and packets drawn. */
const pageState = (page) =>
  page.evaluate(() => {
    const p = document.querySelector('#position');
    const c = document.querySelector('#counts');
    return {
      pos: p.dataset.pos,
      where: document.querySelector('.where')?.textContent,
      counts: [c.dataset.sent, c.dataset.delivered, c.dataset.lost],
      sockets: [...document.querySelectorAll('.topology .socket')].map((s) => `${s.dataset.socket}:${s.dataset.state}`),
      packets: [...document.querySelectorAll('.topology .pkt')].map((s) => `${s.dataset.packet}:${s.dataset.state}`),
      arrows: document.querySelectorAll('.sequence .arrow').length,
    };
  });

test('navigation to the first interactive frame', async () => {
  const { context, page, problems } = await open();
  const ms = await page.evaluate(() => window.__interactiveMs);
  report('e2e_nav_to_interactive_ms', ms, 'ms');
  // The step button works at once.
  const before = await position(page);
  await page.locator('#step-forward').click();
  await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, before.pos + 1);
  assert.ok(ms < 30_000, `${ms} ms to the first interactive frame`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('one step and one step back on a lesson of over 10,000 events', async () => {
  const { context, page, problems } = await open();
  const script = pingPongScript(960);
  const loadMs = await runInSandbox(page, script);
  report('e2e_load_10k_events_ms', loadMs, 'ms');
  const events = await page.locator('#position').evaluate((e) => Number(e.dataset.eventsTotal));
  assert.ok(events >= 10_000, `${events} events`);
  report('e2e_10k_scenario_events', events, 'events');
  const { total } = await position(page);
  report('e2e_10k_scenario_steps', total, 'steps');
  // Deep into the lesson, far from a snapshot boundary, so a step back replays.
  let at = Math.floor(total * 0.8);
  at -= at % 64;
  at += 40;
  await seek(page, at);
  // The sequence diagram has scrolled to the current event (smoothly: wait for it).
  await page.waitForFunction(() => {
    const box = document.querySelector('.seq-scroll')?.getBoundingClientRect();
    const notes = [...document.querySelectorAll('.sequence .note.current')].map((n) => n.getBoundingClientRect());
    return box && notes.length > 0 && notes.every((n) => n.top >= box.top && n.bottom <= box.bottom);
  });
  const forward = [];
  const back = [];
  const forwardNext = [];
  const backNext = [];
  for (let i = 0; i < 30; i++) {
    const here = await pageState(page);
    const f = await timedClick(page, '#step-forward');
    const moved = await pageState(page);
    assert.equal(Number(moved.pos), Number(here.pos) + 1, 'a step moves by exactly one');
    const b = await timedClick(page, '#step-back');
    assert.deepEqual(await pageState(page), here, 'a step back restores exactly');
    forward.push(f.ms);
    back.push(b.ms);
    forwardNext.push(f.nextFrameMs);
    backNext.push(b.nextFrameMs);
    // Walk on so each step back replays from a different distance to its snapshot.
    await timedClick(page, '#step-forward');
  }
  report('e2e_step_10k_median_ms', quantile(forward, 0.5), 'ms');
  report('e2e_step_10k_p95_ms', quantile(forward, 0.95), 'ms');
  report('e2e_step_back_10k_median_ms', quantile(back, 0.5), 'ms');
  report('e2e_step_back_10k_p95_ms', quantile(back, 0.95), 'ms');
  report('e2e_step_10k_next_frame_median_ms', quantile(forwardNext, 0.5), 'ms');
  report('e2e_step_back_10k_next_frame_median_ms', quantile(backNext, 0.5), 'ms');
  assert.equal((await position(page)).pos, at + 30);
  assert.ok(quantile(back, 0.5) < 2_000, `step back takes ${quantile(back, 0.5)} ms`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('frame times while a lesson with 200 hosts and about 600 packets in flight plays', async () => {
  const { context, page, problems } = await open();
  const script = crowdScript(200, 12, 25, 10);
  const loadMs = await runInSandbox(page, script);
  report('e2e_load_200_hosts_ms', loadMs, 'ms');
  assert.equal(await page.locator('.topology [data-host]').count(), 201);
  // Into the busy part, where about 600 packets are on the wire at once.
  const { total } = await position(page);
  await seek(page, Math.min(total - 400, 2400));
  const flying = await page.locator('.topology .pkt.flying').count();
  report('e2e_200_hosts_packets_in_flight', flying, 'packets');
  assert.ok(flying >= 500, `${flying} packets in flight`);
  // So many jump from step to step instead of gliding (topology.rs: CROWD).
  assert.equal(await page.locator('svg.topology.crowded').count(), 1);
  await page.locator('select.speed').selectOption('175');
  const start = await position(page);
  await page.locator('#play').click();
  const frames = await page.evaluate(
    () =>
      new Promise((done) => {
        const times = [];
        let last = performance.now();
        const until = last + 4_000;
        const frame = (now) => {
          times.push(now - last);
          last = now;
          if (now < until) requestAnimationFrame(frame);
          else done(times);
        };
        requestAnimationFrame(frame);
      }),
  );
  await page.locator('#play').click();
  const end = await position(page);
  assert.ok(end.pos > start.pos, 'playing moved the lesson on');
  report('e2e_play_200_hosts_frame_median_ms', quantile(frames, 0.5), 'ms');
  report('e2e_play_200_hosts_frame_p95_ms', quantile(frames, 0.95), 'ms');
  report('e2e_play_200_hosts_steps_per_s', (end.pos - start.pos) / 4, 'steps/s');
  assert.ok(quantile(frames, 0.5) < 2_000, 'the page kept drawing while playing');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the page answers while a long lesson is computed, and shows its progress', async () => {
  const { context, page, problems } = await open();
  await pasteIntoSandbox(page, pingPongScript(LONG_LESSON_ROUNDS));
  // The longest gap between frames while the lesson loads (how long the page froze),
  // and whether the progress was shown (a timeline longer than one slice of work).
  await recordFrameGaps(page);
  await page.evaluate(() => {
    new MutationObserver(() => {
      if (document.querySelector('#loading')) window.__sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  const t0 = Date.now();
  await page.locator('#run-script').click();
  // A click made while the lesson is computed is answered: the language switches.
  await page.getByRole('button', { name: '한국어' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.total) > 15_000, null, { timeout: 120_000 });
  await page.locator('#position[data-loading]').waitFor({ state: 'detached', timeout: 120_000 });
  const loadMs = Date.now() - t0;
  const { gaps, sawProgress } = await page.evaluate(() => {
    window.__stopFrames = true;
    return { gaps: window.__gaps.map((g) => g.ms), sawProgress: Boolean(window.__sawProgress) };
  });
  const { total } = await position(page);
  report('e2e_load_long_lesson_ms', loadMs, 'ms');
  report('e2e_load_long_lesson_steps', total, 'steps');
  report('e2e_load_long_lesson_longest_frame_ms', Math.max(...gaps), 'ms');
  report('e2e_load_long_lesson_progress_shown', sawProgress ? 1 : 0, 'bool');
  // The lesson is whole and works: a step moves by one.
  await page.locator('#step-forward').click();
  await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.pos) === 1);
  await page.getByRole('button', { name: 'English' }).click();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a learner’s change runs the lesson again: cutting the tour’s link, then repairing it', async () => {
  const { context, page, problems } = await open();
  // Half-way through the tour, so the change lands mid-lesson and the run after it is new.
  const { total } = await position(page);
  await seek(page, Math.floor(total / 2));
  const cut = await timedClick(page, '.break-it button.cut');
  await page.waitForFunction(() => location.hash.includes(':cut:0'));
  await page.locator('.break-it button.cut', { hasText: 'Repair' }).waitFor();
  const repair = await timedClick(page, '.break-it button.cut');
  await page.waitForFunction(() => location.hash.includes(':repair:0'));
  report('e2e_edit_cut_rerun_ms', cut.ms, 'ms');
  report('e2e_edit_repair_rerun_ms', repair.ms, 'ms');
  // The change is part of the run: the page stands right after it.
  const after = await position(page);
  assert.equal(after.pos, Math.floor(total / 2) + 2);
  assert.deepEqual(problems, []);
  await context.close();
});
