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

// The CLI's response re-serialised compactly: the text every module path must equal.
export function cliText(request) {
  const cli = runCli(request);
  if (cli.code !== 0) throw new Error(`the CLI failed on ${typeof request === 'string' ? request : JSON.stringify(request)}: ${cli.stderr}`);
  return JSON.stringify(JSON.parse(cli.stdout));
}

// A step's rows as the packed numbers Scenario.computePacked takes, or null when a row
// holds something other than the known fields with finite numbers.
export function packedStep(step) {
  const numbers = (row, fields) => fields.map((field) => (field === 'count' && !('count' in row) ? 1 : row[field]));
  const valid = (row, fields) => typeof row === 'object' && row !== null &&
    Object.keys(row).every((key) => fields.includes(key)) && numbers(row, fields).every(Number.isFinite);
  const prefillFields = ['tokens_this_step', 'prompt_tokens', 'count'], decodeFields = ['context_length', 'count'];
  const prefill = step.prefill ?? [], decode = step.decode ?? [];
  if (!prefill.every((row) => valid(row, prefillFields)) || !decode.every((row) => valid(row, decodeFields))) return null;
  return {
    prefill: new Float64Array(prefill.flatMap((row) => numbers(row, prefillFields))),
    decode: new Float64Array(decode.flatMap((row) => numbers(row, decodeFields))),
  };
}

// Every way the module computes a request: [label, () => response].
export function modulePaths(calc, request) {
  const { step, ...header } = request;
  const paths = [
    ['calc.compute(object)', () => calc.compute(request)],
    ['calc.compute(JSON text)', () => calc.compute(JSON.stringify(request))],
    ['scenario.compute(step)', () => withScenario(calc, header, (s) => s.compute(step))],
  ];
  const packed = packedStep(step);
  if (packed) paths.push(['scenario.computePacked', () => withScenario(calc, header, (s) => s.computePacked(packed.prefill, packed.decode))]);
  return paths;
}

export function withScenario(calc, header, use) {
  const scenario = calc.scenario(header);
  try {
    return use(scenario);
  } finally {
    scenario.delete();
  }
}
