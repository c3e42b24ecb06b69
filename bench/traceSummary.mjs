#!/usr/bin/env node
/**
 * Summarises a Chrome trace written by `node bench/run.mjs <name> --trace=file.json`: per thread, the
 * self time of the hottest functions from V8's CPU samples.   node bench/traceSummary.mjs file.json [top]
 */
import { readFileSync } from 'node:fs';

const [file, topArg = '25'] = process.argv.slice(2);
const top = Number(topArg);
const { traceEvents } = JSON.parse(readFileSync(file, 'utf8'));
const threadNames = new Map();
for (const e of traceEvents) if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);

// Profile / ProfileChunk events carry each thread's sampled call tree in pieces, keyed by profile id.
const profiles = new Map();
for (const e of traceEvents) {
  if (e.name === 'Profile') profiles.set(e.id, { thread: `${e.pid}:${e.tid}`, nodes: new Map(), samples: [], deltas: [] });
  if (e.name !== 'ProfileChunk') continue;
  const profile = profiles.get(e.id);
  if (!profile) continue;
  const data = e.args.data;
  for (const node of data.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
  profile.samples.push(...(data.cpuProfile?.samples ?? []));
  profile.deltas.push(...(data.timeDeltas ?? []));
}
for (const profile of profiles.values()) {
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = profile.nodes.get(profile.samples[i]);
    const delta = (profile.deltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${(url ?? '').split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    if (functionName !== '(idle)' && functionName !== '(program)') total += delta;
  }
  if (total < 5) continue;
  console.log(`\n## ${threadNames.get(profile.thread) ?? profile.thread}: ${total.toFixed(1)} ms sampled (not idle)`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(2).padStart(9)} ms  ${key}`);
}
