// Shared helpers for the WASM module's tests: the built module, the native CLI,
// and a seeded request generator.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const modulePath = `${root}build/wasm/stepcalc.mjs`;
export const cliPath = `${root}build/native/stepcalc`;

for (const [path, how] of [[modulePath, 'cmake --preset wasm && cmake --build --preset wasm'],
  [cliPath, 'cmake --preset native && cmake --build --preset native']]) {
  if (!existsSync(path)) throw new Error(`${path} is missing; build it first: ${how}`);
}

export async function loadCalc() {
  const { default: createStepCalc } = await import(modulePath);
  return createStepCalc();
}

// The CLI on one request: {code, stdout, stderr}.
export function runCli(request) {
  const input = typeof request === 'string' ? request : JSON.stringify(request);
  const result = spawnSync(cliPath, ['compute', '-'], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.trimEnd() };
}

// A small deterministic PRNG (mulberry32), so failures reproduce.
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A random step: 0-3 prefill chunks and 0-4 decode groups, sizes spread over
// orders of magnitude.
export function randomStep(random) {
  const integer = (min, max) => min + Math.floor(random() * (max - min + 1));
  const logInteger = (max) => Math.max(1, Math.round(Math.exp(random() * Math.log(max))));
  const prefill = Array.from({ length: integer(0, 3) }, () => {
    const prompt = logInteger(32768);
    const chunk = { tokens_this_step: integer(1, prompt), prompt_tokens: prompt };
    if (random() < 0.5) chunk.count = integer(1, 4);
    return chunk;
  });
  const decode = Array.from({ length: integer(0, 4) }, () => {
    const group = { context_length: logInteger(131072) };
    if (random() < 0.7) group.count = logInteger(256);
    return group;
  });
  return { prefill, decode };
}
