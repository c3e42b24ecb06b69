import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { bundled, bundledManifest, run, snapshot, tempDir } from './cliHarness.ts';
import { daysOf, deviceSummary } from './summaryFixture.ts';

const root = new URL('../../../', import.meta.url).pathname;
const workflowText = readFileSync(join(root, 'examples/retrain.yml'), 'utf8');
const csv = readFileSync(join(root, 'node_modules/vega-datasets/data/seattle-weather.csv'), 'utf8').trim().split('\n');

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly run?: string;
}

/** The job's steps: just enough YAML for this file (`- name:` items, `run: |` blocks). */
function stepsOf(text: string): Step[] {
  const lines = text.split('\n');
  const steps: Record<string, string>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const item = /^ {6}- (\w+): ?(.*)$/.exec(lines[i]);
    const field = /^ {8}(\w+): ?(.*)$/.exec(lines[i]);
    const match = item ?? field;
    if (!match) continue;
    if (item) steps.push({});
    const step = steps[steps.length - 1];
    if (match[2] === '|') {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1].startsWith('          ') || lines[i + 1].trim() === '')) block.push(lines[++i].slice(10));
      step[match[1]] = block.join('\n').trimEnd();
    } else step[match[1]] = match[2];
  }
  return steps;
}

const envOf = (text: string) =>
  Object.fromEntries([...(/^env:\n((?: {2}\w+: .*\n)+)/m.exec(text)?.[1] ?? '').matchAll(/^ {2}(\w+): (.*)$/gm)].map((m) => [m[1], m[2]]));

/**
 * Runs the workflow's steps but the install and the push, in order, as GitHub would: bash -e
 * -o pipefail, the workflow's env, GITHUB_OUTPUT read back for `steps.<id>.outputs`. `npx edgewatch` is
 * this checkout's CLI. Returns what each step printed.
 */
function runWorkflow(work: string, secret: string): { name: string; out: string }[] {
  const env = { ...process.env, ...envOf(workflowText), RUNNER_TEMP: join(work, 'runner'), GITHUB_RUN_NUMBER: '41', EDGEWATCH_SIGNING_KEY: secret };
  mkdirSync(env.RUNNER_TEMP, { recursive: true });
  const outputs: Record<string, Record<string, string>> = {};
  const ran: { name: string; out: string }[] = [];
  for (const step of stepsOf(workflowText)) {
    // npm ci, and git push to a remote: what a CI machine does that a test must not
    if (!step.run || step.name === 'Install' || step.name === 'Publish the registry') continue;
    const condition = step.if;
    if (condition === "steps.retrain.outputs.candidate != ''" && !outputs.retrain?.candidate) continue;
    if (condition !== undefined && condition !== "steps.retrain.outputs.candidate != ''" && condition !== 'always()')
      throw new Error(`unknown if: ${condition}`);
    const output = join(env.RUNNER_TEMP, `output-${ran.length}`);
    writeFileSync(output, '');
    const script = step.run.replace(/\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}/g, (_, id, key) => outputs[id]?.[key] ?? '');
    const shim = `npx() { if [ "$1" = edgewatch ]; then shift; node ${JSON.stringify(join(root, 'src/cli/bin.mjs'))} "$@"; else return 99; fi; }\n`;
    const out = execFileSync('bash', ['-e', '-o', 'pipefail', '-c', shim + script], { cwd: work, env: { ...env, GITHUB_OUTPUT: output }, encoding: 'utf8' });
    if (step.id)
      outputs[step.id] = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('=', 2) as [string, string]),
      );
    ran.push({ name: step.name ?? '', out });
  }
  return ran;
}

/** A repository as the workflow expects it: the bundled registry, the fleet's files, the pinned public key. */
async function repository(summaries: Record<string, unknown>, labelled: RegExp) {
  const work = tempDir('workflow');
  cpSync(bundled, join(work, 'public/registry'), { recursive: true });
  mkdirSync(join(work, 'examples'));
  cpSync(join(root, 'examples/gates.json'), join(work, 'examples/gates.json'));
  mkdirSync(join(work, 'fleet/summaries'), { recursive: true });
  for (const [name, summary] of Object.entries(summaries)) writeFileSync(join(work, 'fleet/summaries', name), JSON.stringify(summary));
  writeFileSync(join(work, 'fleet/labelled.csv'), `${[csv[0], ...csv.slice(1).filter((l) => labelled.test(l))].join('\n')}\n`);
  mkdirSync(join(work, 'keys'));
  expect((await run('keygen', '--out', join(work, 'keys/release.jwk'), '--kid', 'release')).code).toBe(0);
  return { work, secret: readFileSync(join(work, 'keys/release.jwk'), 'utf8') };
}

describe('examples/retrain.yml', () => {
  it('points nowhere outside the repository and runs the CLI it documents', () => {
    expect(workflowText).not.toMatch(/:\/\//);
    const names = stepsOf(workflowText).map((s) => s.name);
    expect(names).toEqual([
      undefined,
      undefined,
      'Install',
      'Signing key',
      'Retrain when the summaries cross a drift threshold',
      "Verify the candidate's registry",
      'Promote to 10 % of stable',
      'Publish the registry',
      'Forget the key',
    ]);
    expect(JSON.parse(readFileSync(join(root, 'examples/gates.json'), 'utf8'))).toHaveLength(4);
  });

  it('on summaries that show the 2014–15 label shift: retrains on the labelled days, gates pass, a signed candidate verifies, 10 % of stable gets it', {
    timeout: 180_000,
  }, async () => {
    const registry = join(bundled);
    const { work, secret } = await repository(
      {
        'device-a.json': await deviceSummary(registry, bundledManifest, '1', daysOf(/^2014-/), true),
        'device-b.json': await deviceSummary(registry, bundledManifest, '1', daysOf(/^2015-0[1-6]/), true),
      },
      /^(201[234]|2015-0[1-6])-/,
    );
    const ran = runWorkflow(work, secret);
    expect(ran.map((s) => s.name)).toEqual([
      'Signing key',
      'Retrain when the summaries cross a drift threshold',
      "Verify the candidate's registry",
      'Promote to 10 % of stable',
      'Forget the key',
    ]);
    expect(ran[1].out).toMatch(/^retraining: weather@1 over 2 summaries \(546 predictions\) crossed a drift threshold/);
    expect(ran[1].out).toMatch(/^candidate weather@3 → .*\(parent 1; /m);
    expect(ran[2].out).toMatch(/artifacts checked, signed, signature valid — ok$/m);
    expect(ran[3].out).toMatch(/^weather stable: "1" → \["3","1"\] \(sequence \d+, signed\)/);
    const manifest: RegistryManifest = JSON.parse(readFileSync(join(work, 'public/registry/manifest.json'), 'utf8'));
    expect(manifest.models.weather.versions['3'].rollout).toEqual({ percent: 10 });
    expect(manifest.audit?.map((a) => [a.action, a.version, a.by])).toEqual([
      ['retrain', '3', 'ci run 41'],
      ['promote', '3', 'ci run 41'],
    ]);
  });

  it('on summaries of what v1 was trained on: prints why not and nothing after it runs; the registry is unchanged', { timeout: 60_000 }, async () => {
    const { work, secret } = await repository(
      { 'device.json': await deviceSummary(bundled, bundledManifest, '1', daysOf(/^201[23]-/), true) },
      /^(201[234]|2015-0[1-6])-/,
    );
    const before = snapshot(join(work, 'public/registry'));
    const ran = runWorkflow(work, secret);
    expect(ran.map((s) => s.name)).toEqual(['Signing key', 'Retrain when the summaries cross a drift threshold', 'Forget the key']);
    expect(ran[1].out).toMatch(/^not retraining: /);
    expect(snapshot(join(work, 'public/registry'))).toEqual(before);
  });
});
