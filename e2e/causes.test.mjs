// End-to-end: an errno, and a SYN nobody answered, explained by their cause — the
// packet, timer or socket the trace names — in English and in Korean.
// Screenshots go to target/e2e/ (look at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './serve.mjs';
import { openPage, servedPage } from './suite.mjs';

const served = servedPage();

async function open(fragment) {
  return openPage(served, { fragment });
}

const pos = (page) => page.locator('#position').getAttribute('data-pos').then(Number);
const total = (page) => page.locator('#position').getAttribute('data-total').then(Number);
const explanation = (page) => page.locator('.explain').textContent();

/** Steps forward by keyboard until the explanation matches `want`; returns its text. */
async function stepUntilExplained(page, want) {
  const end = await total(page);
  for (let at = await pos(page); at < end; at++) {
    const text = await explanation(page);
    if (want.test(text)) return text;
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((w) => Number(document.querySelector('#position')?.dataset.pos) === w, at + 1);
  }
  throw new Error(`never explained: ${want}`);
}

/** The same step in Korean: the explanation, after switching the page's language. */
async function inKorean(page) {
  await page.getByRole('button', { name: '한국어' }).click();
  await page.getByRole('heading', { name: '시퀀스 다이어그램' }).waitFor();
  return explanation(page);
}

const cases = [
  {
    lesson: 'connection_refused',
    errno: /ECONNREFUSED/,
    // The cause is said once, on the pending error the call then takes.
    en: /pending on client's socket: ECONNREFUSED .*Cause: RST-ACK seq=0 ack=1 from server \(packet #\d+\)\.The call returns −1 ECONNREFUSED: it takes the error that became pending above/,
    ko: /ECONNREFUSED.*원인: server가 보낸 RST-ACK seq=0 ack=1 \(패킷 #\d+\)\./,
  },
  {
    lesson: 'four_way_close',
    errno: /EADDRINUSE/,
    en: /Port 80 on server is still held by a socket in TIME-WAIT until [\d.]+ s \([\d.]+ s from now\)/,
    ko: /server의 80번 포트는 TIME-WAIT 상태의 소켓이 [\d.]+ s까지/,
  },
  {
    lesson: 'backlog_overflow',
    errno: /accept queue is full/,
    en: /server's accept queue is full \(2 connections wait for accept\(\), backlog 1\): the SYN is dropped without an answer, no RST/,
    ko: /server의 accept 큐가 가득 찼습니다 \(연결 2개가 accept\(\)를 기다림, backlog 1\)/,
  },
];

for (const c of cases) {
  test(`${c.lesson}: ${c.errno.source} is explained by its cause, in English and Korean`, async () => {
    const { context, page, problems } = await open(`#lesson=${c.lesson}`);
    const en = await stepUntilExplained(page, c.errno);
    assert.match(en, c.en);
    await page.screenshot({ path: join(SHOTS, `cause-${c.lesson}-en.png`) });
    const ko = await inKorean(page);
    assert.match(ko, c.ko);
    await page.screenshot({ path: join(SHOTS, `cause-${c.lesson}-ko.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  });
}
