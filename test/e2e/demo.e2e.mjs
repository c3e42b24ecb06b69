#!/usr/bin/env node
/**
 * End-to-end check of `npm start`'s product: serves the built demo (vite preview), drives it in headless
 * Chromium with Playwright, predicts one day and replays 2014. Run after `vite build`:
 *   node test/e2e/demo.e2e.mjs     (uses CHROMIUM_PATH or /usr/bin/chromium)
 */
import { spawn } from 'node:child_process';
import { chromium } from 'playwright';

const port = 4399;
const server = spawn('node_modules/.bin/vite', ['preview', '--port', String(port), '--strictPort'], { stdio: ['ignore', 'pipe', 'inherit'] });
let failed = 0;
let passed = 0;
const check = (label, ok, extra = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${extra ? ` — ${extra}` : ''}`);
  ok ? passed++ : failed++;
};
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vite preview did not start')), 20_000);
    server.stdout.on('data', (chunk) => {
      if (String(chunk).includes(String(port))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('edge-model[status="ready"]', { timeout: 60_000 });
  check('the model loads and <edge-model> reports ready', true);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelector('edge-model')?.shadowRoot?.querySelectorAll('[part=prediction] .row').length === 5, null, {
    timeout: 30_000,
  });
  const best = await page.evaluate(() => document.querySelector('edge-model')?.shadowRoot?.querySelector('.best span')?.textContent);
  check('Predict shows five class bars and a best label', ['drizzle', 'fog', 'rain', 'snow', 'sun'].includes(best ?? ''), `best: ${best}`);
  await page.click('#replay');
  await page.waitForFunction(() => /accuracy/.test(document.querySelector('#replay-status')?.textContent ?? ''), null, { timeout: 60_000 });
  const status = await page.textContent('#replay-status');
  const accuracy = Number(/accuracy ([\d.]+)%/.exec(status ?? '')?.[1]);
  check('replaying 2014 gives a confusion table and a sane accuracy', accuracy > 60, status ?? '');
  const controlled = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker?.ready;
    return Boolean(registration?.active);
  });
  check('the service worker is active', controlled);
  check('no uncaught page errors', errors.length === 0, errors.join('; '));
  await page.screenshot({ path: process.env.E2E_SCREENSHOT ?? '/tmp/edgewatch-demo.png', fullPage: true });

  // A strict CSP on every response (page, worker, wasm): no inline or eval'd script anywhere, wasm allowed.
  const csp = "script-src 'self' 'wasm-unsafe-eval'";
  const strict = await browser.newContext({ serviceWorkers: 'block' });
  await strict.route('**/*', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
  });
  const cspPage = await strict.newPage();
  await cspPage.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const cspErrors = [];
  cspPage.on('pageerror', (error) => cspErrors.push(String(error)));
  await cspPage.goto(`http://127.0.0.1:${port}/`);
  await cspPage.waitForSelector('edge-model[status="ready"]', { timeout: 60_000 });
  await cspPage.click('button[type=submit]');
  await cspPage.waitForFunction(() => document.querySelector('edge-model')?.shadowRoot?.querySelectorAll('[part=prediction] .row').length === 5, null, {
    timeout: 30_000,
  });
  const violations = await cspPage.evaluate(() => window.__violations);
  // wasm, not a fallback: 'wasm-unsafe-eval' is what lets the worker compile the TF.js wasm binary.
  const cspBackend = await cspPage.evaluate(() => document.querySelector('edge-model')?.backend);
  check(
    `under ${csp} the model loads and predicts on wasm, with no violation`,
    cspBackend === 'wasm' && violations.length === 0 && cspErrors.length === 0,
    [`backend ${cspBackend}`, ...violations, ...cspErrors].join('; '),
  );
  await strict.close();
  await browser.close();
} catch (error) {
  check('e2e run', false, String(error));
} finally {
  server.kill();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
