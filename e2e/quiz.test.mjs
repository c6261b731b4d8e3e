// End-to-end: quiz mode (predict, then see). A teacher's link opens the
// connection_refused lesson in quiz mode; the learner answers the RST question
// wrong and the refused connect right, in English on a desktop and in Korean on a
// phone; the reveal says right or wrong, the answer and the step's explanation;
// the score is kept per lesson across a reload and can be reset. Screenshots go
// to target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage } from './suite.mjs';

const served = servedPage();

async function open(fragment, viewport, locale) {
  return openPage(served, { fragment, viewport, locale });
}

/** Steps on (without answering) until the question asked matches `prompt`. */
async function stepUntilAsked(page, prompt) {
  for (let i = 0; i < 60; i++) {
    const asked = page.locator('#quiz-prompt');
    if ((await asked.count()) > 0 && prompt.test(await asked.textContent())) return;
    await page.locator('#step-forward').click();
  }
  assert.fail(`never asked ${prompt}`);
}

async function answer(page, choice) {
  const pos = Number(await page.locator('#position').getAttribute('data-pos'));
  await page.locator('.quiz-choice', { hasText: choice }).click();
  await page.locator(`#position[data-pos="${pos + 1}"]`).waitFor();
  return page.locator('#quiz-reveal').textContent();
}

const LANGS = [
  {
    name: 'English on a desktop',
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    shot: 'quiz-en-1280.png',
    rstPrompt: /What TCP segment does server send to client next\?/,
    wrong: /^✗Not quite: you picked \[S\.\] seq 0 ack 1; the answer is \[R\.\] seq 0 ack 1\..*server → RST-ACK seq=0 ack=1: it sends RST/,
    connectPrompt: /What does client's connect\(3, 10\.0\.0\.1:81\) return\?/,
    right: /^✓Right! The answer is −1 ECONNREFUSED\.The call returns −1 ECONNREFUSED: .* Cause: RST-ACK seq=0 ack=1 from server \(packet #2\)\.$/,
    score: 'Score in this lesson: 1 right · 1 wrong',
    reset: 'Reset score',
    zero: 'Score in this lesson: 0 right · 0 wrong',
  },
  {
    name: 'Korean on a phone',
    locale: 'ko-KR',
    viewport: { width: 390, height: 844 },
    shot: 'quiz-ko-390.png',
    rstPrompt: /server가 client에게 보낼 다음 TCP 세그먼트는\?/,
    wrong: /^✗아쉽습니다\. 고른 답은 \[S\.\] seq 0 ack 1, 정답은 \[R\.\] seq 0 ack 1입니다\..*server → RST-ACK seq=0 ack=1: RST를 보냅니다/,
    connectPrompt: /client의 connect\(3, 10\.0\.0\.1:81\)은 무엇을 돌려줄까요\?/,
    right: /^✓정답입니다! 답은 −1 ECONNREFUSED입니다\..*호출이 −1 ECONNREFUSED를 돌려줍니다: .*원인: server가 보낸 RST-ACK seq=0 ack=1/,
    score: '이 레슨의 점수: 맞힘 1 · 틀림 1',
    reset: '점수 초기화',
    zero: '이 레슨의 점수: 맞힘 0 · 틀림 0',
  },
];

for (const lang of LANGS) {
  test(`a quiz answered wrong then right, ${lang.name}`, async () => {
    const { context, page, problems } = await open('#lesson=connection_refused&quiz=1', lang.viewport, lang.locale);
    assert.equal(await page.locator('#quiz-toggle').getAttribute('aria-pressed'), 'true', 'the link turned quiz mode on');
    // Four plausible segments for the RST; the learner expects the SYN-ACK.
    await stepUntilAsked(page, lang.rstPrompt);
    const choices = await page.locator('.quiz-choice').allTextContents();
    assert.equal(choices.length, 4, choices.join(' | '));
    assert.ok(choices.includes('[R.] seq 0 ack 1') && choices.includes('[S.] seq 0 ack 1'), choices.join(' | '));
    const wrong = await answer(page, '[S.] seq 0 ack 1');
    assert.match(wrong, lang.wrong);
    assert.equal(await page.locator('#quiz-reveal').getAttribute('class'), 'quiz-reveal wrong');
    await page.locator('#quiz').evaluate((q) => q.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SHOTS, lang.shot.replace('.png', '-wrong.png')) });
    // The refused connect: its errno among what connect can return.
    await stepUntilAsked(page, lang.connectPrompt);
    const errnos = await page.locator('.quiz-choice').allTextContents();
    assert.ok(errnos.includes('−1 ECONNREFUSED') && errnos.includes('−1 ETIMEDOUT'), errnos.join(' | '));
    const right = await answer(page, '−1 ECONNREFUSED');
    assert.match(right, lang.right);
    assert.equal(await page.locator('#quiz-score').textContent(), lang.score);
    await page.locator('#quiz').evaluate((q) => q.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SHOTS, lang.shot) });
    await page.screenshot({ path: join(SHOTS, lang.shot.replace('.png', '-full.png')), fullPage: true });
    // The phone's page does not scroll sideways with the quiz on it.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    // The score is kept in the browser: a reload (the link still says quiz=1) shows it.
    await page.reload();
    await page.locator('#quiz-score').waitFor();
    assert.equal(await page.locator('#quiz-score').textContent(), lang.score);
    await page.getByRole('button', { name: lang.reset }).click();
    assert.equal(await page.locator('#quiz-score').textContent(), lang.zero);
    // Quiz mode goes off with its toggle, and the link follows.
    await page.locator('#quiz-toggle').click();
    assert.equal(await page.locator('#quiz-toggle').getAttribute('aria-pressed'), 'false');
    await page.waitForFunction(() => !location.hash.includes('quiz'));
    assert.equal(await page.locator('.quiz-choice').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the keyboard alone answers: Tab to a choice, Enter picks it', async () => {
  const { context, page, problems } = await open('#lesson=handshake&quiz=1', { width: 1280, height: 900 }, 'en-US');
  await stepUntilAsked(page, /What TCP segment does server send to client next\?/);
  const pos = Number(await page.locator('#position').getAttribute('data-pos'));
  await page.locator('.quiz-choice', { hasText: '[S.] seq 0 ack 1' }).focus();
  await page.keyboard.press('Enter');
  await page.locator(`#position[data-pos="${pos + 1}"]`).waitFor();
  assert.match(await page.locator('#quiz-reveal').textContent(), /^✓Right! The answer is \[S\.\] seq 0 ack 1\./);
  assert.deepEqual(problems, []);
  await context.close();
});
