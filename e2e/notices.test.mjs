// End-to-end (issue #6): the page keeps answering while a long lesson's script runs,
// and every notice it shows reads in both languages. Screenshots go to target/e2e/.
//
// Prints one `name value unit` line per figure. Timings vary with the machine's load,
// so the tests assert behaviour (the progress shows, a click is answered while the
// script still runs); the figures are for the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage } from './suite.mjs';
import { LONG_LESSON_ROUNDS, pasteIntoSandbox, pingPongScript, recordFrameGaps } from './scenarios.mjs';


const served = servedPage();

function report(name, value, unit) {
  console.log(`${name} ${Math.round(value * 10) / 10} ${unit}`);
}

/** A fresh English page at `fragment`, recording console errors. */
async function open(fragment = '') {
  return openPage(served, { fragment, ready: '#step-forward' });
}

async function switchTo(page, language, code) {
  await page.getByRole('button', { name: language }).click();
  await page.waitForFunction((c) => document.documentElement.lang === c, code);
}

/** The notice's text in English, then in Korean (a screenshot of each). */
async function noticeInBoth(page, shot) {
  const notice = page.locator('.notice');
  await notice.waitFor();
  const en = await notice.textContent();
  await page.screenshot({ path: join(SHOTS, `notice-${shot}-en.png`) });
  await switchTo(page, '한국어', 'ko');
  const ko = await notice.textContent();
  await page.screenshot({ path: join(SHOTS, `notice-${shot}-ko.png`) });
  return { en, ko };
}

test('while a long lesson\'s script runs, its progress shows and a click is answered', async () => {
  const { context, page, problems } = await open();
  await pasteIntoSandbox(page, pingPongScript(LONG_LESSON_ROUNDS));
  await recordFrameGaps(page);
  // In the page: long tasks (over 50 ms) and gaps between frames, each with its time;
  // the progress values shown (under 50 % is the script's run, the rest the timeline);
  // when the lesson is shown. Once the script's run shows its progress, the language
  // button is clicked (a real DOM click), and the first frame in Korean notes whether
  // the lesson was still loading.
  await page.evaluate(() => {
    const w = window;
    w.__tasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__tasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
    w.__onFrame = () => {
      if (w.__koWhileLoading === undefined && document.documentElement.lang === 'ko') {
        w.__koWhileLoading = Boolean(document.querySelector('#position[data-loading]'));
      }
    };
    w.__progress = [];
    new MutationObserver(() => {
      const bar = document.querySelector('#loading progress');
      if (bar) {
        const value = Number(bar.getAttribute('value'));
        w.__progress.push(value);
        w.__lastProgressAt = performance.now();
        if (value < 50 && w.__clickedAt === undefined) {
          // In a task of its own, as a learner's click would be.
          w.__clickedAt = performance.now();
          setTimeout(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === '한국어')?.click());
        }
      }
      if (w.__runAt !== undefined && w.__loadedAt === undefined && !document.querySelector('#position[data-loading]')) {
        w.__loadedAt = performance.now();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.evaluate(() => {
    window.__runAt = performance.now();
  });
  await page.locator('#run-script').click();
  await page.waitForFunction(() => window.__loadedAt !== undefined, null, { timeout: 120_000 });
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  const m = await page.evaluate(() => {
    const w = window;
    w.__stopFrames = true;
    // Computing: from the click to the last progress drawn; showing: the task after it
    // that draws the whole lesson (the views' cost, not the computation's).
    const computing = (t) => t >= w.__runAt && t <= w.__lastProgressAt;
    const showing = (t) => t > w.__lastProgressAt && t <= w.__loadedAt;
    const longest = (xs) => Math.max(0, ...xs.map((x) => x.ms));
    return {
      loadMs: w.__loadedAt - w.__runAt,
      longestTask: longest(w.__tasks.filter((t) => computing(t.start))),
      longestFrame: longest(w.__gaps.filter((g) => computing(g.end))),
      showTask: longest(w.__tasks.filter((t) => showing(t.start))),
      scriptProgress: w.__progress.filter((v) => v > 0 && v < 50).length,
      koWhileLoading: w.__koWhileLoading,
    };
  });
  const total = Number(await page.locator('#position').getAttribute('data-total'));
  report('e2e_notices_load_long_lesson_ms', m.loadMs, 'ms');
  report('e2e_notices_load_long_lesson_steps', total, 'steps');
  report('e2e_notices_load_long_lesson_longest_frame_ms', m.longestFrame, 'ms');
  report('e2e_notices_load_long_lesson_longest_task_ms', m.longestTask, 'ms');
  report('e2e_notices_load_long_lesson_show_task_ms', m.showTask, 'ms');
  report('e2e_notices_load_long_lesson_script_progress_updates', m.scriptProgress, 'updates');
  assert.ok(m.scriptProgress > 0, 'the script\'s run showed its progress');
  assert.equal(m.koWhileLoading, true, 'the language switched while the lesson was still loading');
  assert.ok(total > 15_000, `${total} steps`);
  await page.locator('#step-forward').click();
  await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.pos) === 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link to an unknown lesson says so in English and Korean', async () => {
  const { context, page, problems } = await open('#lesson=nope');
  const { en, ko } = await noticeInBoth(page, 'unknown-lesson');
  assert.match(en, /unknown lesson “nope”/);
  assert.match(ko, /공유 링크가 가리키는 레슨이 없습니다: “nope”/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link that cannot be read says why in English and Korean', async () => {
  const { context, page, problems } = await open('#lesson=tour&edits=1:melt:0');
  const { en, ko } = await noticeInBoth(page, 'bad-link');
  assert.match(en, /melt/);
  assert.match(ko, /공유 링크를 읽을 수 없습니다: /);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link whose position cannot be read opens its lesson at the start and says so', async () => {
  // A mistyped pos=banana lost the whole link: the page stayed on its first lesson.
  const { context, page, problems } = await open('#lesson=four_way_close&pos=banana');
  const { en, ko } = await noticeInBoth(page, 'bad-position');
  assert.match(en, /position “banana” is not a number in range; the lesson opens at its start/);
  assert.match(ko, /position 값이 범위 안의 숫자가 아닙니다: “banana”\. 레슨을 처음부터 엽니다/);
  assert.equal(await page.locator('#lesson-select').inputValue(), 'four_way_close');
  assert.equal(await page.locator('#position').getAttribute('data-pos'), '0');
  assert.deepEqual(problems, []);
  await context.close();
});

test('changes on links the lesson lacks are counted and named, the others applied', async () => {
  const { context, page, problems } = await open('#lesson=tour&pos=3&edits=1:cut:7;2:cut:9;2:link:0:0.3:0:0:10000');
  const { en, ko } = await noticeInBoth(page, 'ignored-edits');
  assert.match(en, /2 changes in the shared link ignored: this lesson has no link #7 or #9/);
  assert.match(ko, /공유 링크의 변경 2개를 적용하지 않았습니다: 이 레슨에는 #7, #9 링크가 없습니다/);
  assert.match(await page.locator('.topology .faults').textContent(), /30%/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a script that stops, and one that does not parse, are explained in English and Korean', async () => {
  const failing = 'host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms\na: s = socket(udp)\na: close(s) = 7\n';
  const stopped = await open(`#lesson=sandbox&script=${encodeURIComponent(failing)}`);
  const said = await noticeInBoth(stopped.page, 'script-stopped');
  assert.match(said.en, /line 5: an expectation failed: expected close\(s\) to return 7, got 0/);
  // All Korean around the script's own call and numbers: no English description framed in it.
  assert.match(said.ko, /5행의 기대가 어긋났습니다 — 기대한 결과: close\(s\)의 반환값 7 · 실제 결과: 0/);
  assert.doesNotMatch(said.ko, /expected|got|to return/);
  assert.deepEqual(stopped.problems, []);
  await stopped.context.close();

  const broken = await open(`#lesson=sandbox&script=${encodeURIComponent('host a 10.0.0.1\nhost b (\n')}`);
  const parse = await noticeInBoth(broken.page, 'script-error');
  assert.match(parse.en, /line 2, column 8: expected .*, found '\('/);
  // All Korean around the script's own token: no English description framed in it.
  assert.match(parse.ko, /스크립트 2행 8열: 여기에 와야 할 것: 10\.0\.0\.1 같은 IPv4 주소 · 실제로 있는 것: '\('/);
  assert.doesNotMatch(parse.ko, /expected|found|an IPv4 address/);
  assert.deepEqual(broken.problems, []);
  await broken.context.close();
});
