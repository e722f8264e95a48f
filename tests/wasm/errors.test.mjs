// Bad input throws a StepCalcError whose message is the CLI's error line.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCalc, packedStep, runCli } from './support.mjs';

const calc = await loadCalc();
const { StepCalcError } = await import('../../build/wasm/stepcalc.mjs');

const base = () => ({ model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 1,
  step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } });

const edits = {
  'unknown top-level field': (r) => { r.batch = 1; },
  'missing model': (r) => { delete r.model; },
  'model of the wrong type': (r) => { r.model = 7; },
  'unknown model preset': (r) => { r.model = 'llama-9'; },
  'unknown GPU preset': (r) => { r.gpu = 'h1000'; },
  'unknown coefficient preset': (r) => { r.coefficients = 'best'; },
  'tp zero': (r) => { r.tp = 0; },
  'tp fractional': (r) => { r.tp = 1.5; },
  'tp a string': (r) => { r.tp = '4'; },
  'beta too short': (r) => { r.coefficients = { beta: [1, 2, 3] }; },
  'beta negative': (r) => { r.coefficients = { beta: [1, 2, 3, 4, 5, -6, 7] }; },
  'missing step': (r) => { delete r.step; },
  'step unknown field': (r) => { r.step.decodes = []; },
  'decode not an array': (r) => { r.step.decode = 5; },
  'decode row not an object': (r) => { r.step.decode[0] = 5; },
  'zero count': (r) => { r.step.decode[0].count = 0; },
  'absurd count': (r) => { r.step.decode[0].count = 1e12; },
  'huge count beyond int64': (r) => { r.step.decode[0].count = 1e30; },
  'negative context': (r) => { r.step.decode[0].context_length = -1; },
  'fractional context in row 3': (r) => { r.step.decode.push({ context_length: 1 }, { context_length: 2 }, { context_length: 10.25 }); },
  'missing context': (r) => { delete r.step.decode[0].context_length; },
  'context as a string': (r) => { r.step.decode[0].context_length = '1024'; },
  'context null': (r) => { r.step.decode[0].context_length = null; },
  'context NaN': (r) => { r.step.decode[0].context_length = NaN; },
  'tp NaN (null in JSON)': (r) => { r.tp = NaN; },
  'count null': (r) => { r.step.decode[0].count = null; },
  'coefficients null': (r) => { r.coefficients = null; },
  'context 1e19 (an unsigned integer in JSON)': (r) => { r.step.decode[0].context_length = 1e19; },
  'context 2^64 (beyond uint64)': (r) => { r.step.decode[0].context_length = 2 ** 64; },
  'context -1e19': (r) => { r.step.decode[0].context_length = -1e19; },
  'coefficient typo': (r) => { r.coefficients = { beta: [1, 1, 1, 1, 0, 0, 0], betta: [1] }; },
  'a lone surrogate in a preset id': (r) => { r.model = '\ud800'; },
  'unknown row field': (r) => { r.step.decode[0].ctx = 1; },
  'tokens beyond the prompt': (r) => { r.step.prefill[0].tokens_this_step = 4096; },
  'absurd prompt': (r) => { r.step.prefill[0].prompt_tokens = 5e9; },
  'too many rows': (r) => { r.step.decode = Array.from({ length: 4097 }, () => ({ context_length: 1 })); },
  'custom model without layers': (r) => { r.model = { hidden_size: 8, num_attention_heads: 2, intermediate_size: 16 }; },
  'custom model kv_heads > H': (r) => { r.model = { num_hidden_layers: 2, hidden_size: 8, num_attention_heads: 2, num_key_value_heads: 4, intermediate_size: 16 }; },
  'custom gpu without a link at TP 2': (r) => { r.tp = 2; r.gpu = { compute: { fp16_tensor_core: 10 }, memory: { bandwidth_tb_s: 1 } }; },
};

for (const [label, edit] of Object.entries(edits)) {
  test(`${label}: the same error line as the CLI`, () => {
    const request = base();
    edit(request);
    const cli = runCli(request);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /^error: [^\n]+$/);
    const sameLine = (error) => {
      assert.ok(error instanceof StepCalcError);
      assert.ok(error instanceof Error);
      assert.equal(error.message, cli.stderr);
      assert.equal(`error: ${error.where}: ${error.what}`, error.message);
      return true;
    };
    for (const input of [request, JSON.stringify(request)]) assert.throws(() => calc.compute(input), sameLine);
    // A Scenario: the header's error when it is opened, else the step's when computed,
    // through the object and (when the rows are numbers) the packed way.
    const { step, ...header } = request;
    let scenario;
    try {
      scenario = calc.scenario(header);
    } catch (error) {
      sameLine(error);
      return;
    }
    try {
      assert.throws(() => scenario.compute(step), sameLine);
      const packed = typeof step === 'object' && step !== null && !('decodes' in step) &&
        Array.isArray(step.decode ?? []) && packedStep(step);
      if (packed) assert.throws(() => scenario.computePacked(packed.prefill, packed.decode), sameLine);
    } finally {
      scenario.delete();
    }
  });
}

test('invalid JSON text gives the CLI line', () => {
  for (const text of ['{"model": \n  nope}', '{"step": {"decode": [{"context_length": 1e400}]}}', '']) {
    const cli = runCli(text);
    assert.equal(cli.code, 2);
    assert.throws(() => calc.compute(text), { name: 'StepCalcError', message: cli.stderr });
  }
});

test('JSON nested deeper than 64 levels is refused, and the module survives it', () => {
  const deep = `{"model": "llama-2-7b-hf", "gpu": {"x": ${'['.repeat(20000)}${']'.repeat(20000)}}, "step": {}}`;
  assert.equal(runCli(deep).stderr, 'error: request: invalid JSON: nested deeper than 64 levels');
  for (let i = 0; i < 50; i++) {
    assert.throws(() => calc.compute(deep), { message: 'error: request: invalid JSON: nested deeper than 64 levels' });
  }
  let nested = {};
  for (let i = 0; i < 100; i++) nested = { x: nested };
  assert.throws(() => calc.compute({ ...base(), gpu: nested }), { message: 'error: request: invalid JSON: nested deeper than 64 levels' });
  assert.equal(calc.compute(base()).basis.batch_size, 33);
});

test('values JSON cannot hold are StepCalcErrors, not raw exceptions', () => {
  const cyclic = base();
  cyclic.model = { self: null };
  cyclic.model.self = cyclic.model;
  assert.throws(() => calc.compute(cyclic), (error) => error instanceof StepCalcError && error.where === 'request' && /cannot be written as JSON/.test(error.what));
  assert.throws(() => calc.compute({ ...base(), tp: 1n }), (error) => error instanceof StepCalcError && /BigInt/.test(error.what));
  for (const value of [undefined, () => 1, Symbol('x')]) {
    assert.throws(() => calc.compute(value), (error) => error instanceof StepCalcError && error.where === 'request');
  }
  assert.throws(() => calc.compute(null), { message: 'error: request: expected a JSON object, got null' });
});

test('an error does not poison the next call', () => {
  const good = calc.compute(base());
  assert.throws(() => calc.compute({ ...base(), gpu: 'nope' }));
  assert.deepStrictEqual(calc.compute(base()), good);
});

test('sweep values must be numbers; NaN and Infinity are named', () => {
  assert.throws(() => calc.sweep(base(), 'decode[0].count', ['4']), { message: 'error: sweep.values[0]: expected a number, got string' });
  assert.throws(() => calc.sweep(base(), 'decode[0].count', 5), { message: 'error: sweep.values: expected an array of numbers' });
  assert.throws(() => calc.sweep(base(), 7, [1]), { message: 'error: sweep.variable: expected a string, got number' });
  assert.throws(() => calc.sweep(base(), 'decode[0].count', [1, NaN]), { message: 'error: sweep.values[1]: must be an integer from 1 to 1000000, got NaN' });
  assert.throws(() => calc.sweep(base(), 'tp', [Infinity]), { message: 'error: sweep.values[0]: must be an integer from 1 to 4096, got Infinity' });
  assert.throws(() => calc.sweep(base(), 'tp', new Float64Array(100_001).fill(1)), { message: 'error: sweep.values: has 100001 values; at most 100000 are allowed' });
  assert.equal(calc.sweep(base(), 'tp', new Float64Array([1, 2])).step_time_us.length, 2);
});

test('sweep errors are StepCalcErrors with located messages', () => {
  assert.throws(() => calc.sweep(base(), 'decode[3].count', [1]),
    { name: 'StepCalcError', message: 'error: sweep.variable: the step has 1 decode rows, so "decode[3].count" does not exist' });
  assert.throws(() => calc.sweep(base(), 'decode[0].count', [1, 0]),
    { message: 'error: sweep.values[1]: must be an integer from 1 to 1000000, got 0' });
});

test('JSON text with a duplicate key gives the CLI line naming the key (JSON.parse would keep the last)', () => {
  const texts = [
    '{"model": "llama-2-7b-hf", "gpu": "h100-sxm", "tp": 1, "tp": 2, "step": {}}',
    '{"model": "llama-2-7b-hf", "gpu": "h100-sxm", "step": {"decode": [{"context_length": 1}, {"count": 1, "count": 2, "context_length": 3}]}}',
    '{"model": {"num_hidden_layers": 2, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 4, "a": {"b": 1, "b": 1}}, "gpu": "h100-sxm", "step": {}}',
  ];
  for (const text of texts) {
    const cli = runCli(text);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /: duplicate key; a key may appear only once in an object$/);
    assert.throws(() => calc.compute(text), { name: 'StepCalcError', message: cli.stderr });
  }
  // A key inside a string is not a key: no false alarm.
  const quoted = '{"model": "llama-2-7b-hf", "gpu": "h100-sxm", "coefficients": {"beta": [1,1,1,1,0,0,0], "name": "tp\\": 1, \\"tp\\": 2"}, "step": {}}';
  assert.equal(calc.compute(quoted).scenario.coefficients, 'custom');
});

test('packed fields: the quick row loop takes what the CLI takes, edge and random values alike', () => {
  const twoTo52 = 2 ** 52;
  const values = [0, -0, 1, 2, 0.5, 1.5, 2.5, 0.49999999999999994, 1 - 1e-16, 1 + Number.EPSILON,
    1e6, 1e6 + 1, 999999.5, 1e8, 1e8 + 1, 99999999.5, twoTo52 - 1, twoTo52, twoTo52 + 1, 2 * twoTo52,
    -1, -twoTo52, -twoTo52 - 1, 2 ** 60, -203628306607217248, 2 ** 63, -(2 ** 63), 2 ** 64 - 2048, 1e20, 1e300, -1e300, Number.MIN_VALUE, -Number.MIN_VALUE,
    NaN, Infinity, -Infinity];
  // Random bit patterns and near-integers from a fixed xorshift sequence.
  let state = 0x2545f4914f6cdd1dn;
  const next = () => {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    return state;
  };
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 40; i++) { // each value costs 5 runs of the CLI
    view.setBigUint64(0, next());
    values.push(view.getFloat64(0));
    const whole = Number(next() % 120_000_000n) - 10_000_000;
    values.push(whole, whole + Number(next() % 3n) / 2);
  }
  const header = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 1 };
  const scenario = calc.scenario(header);
  const outcome = (compute) => {
    try {
      return JSON.stringify(compute());
    } catch (error) {
      assert.ok(error instanceof StepCalcError, String(error));
      return error.message;
    }
  };
  try {
    for (const value of values) {
      // The value goes into a middle row of each list, so rows before and after it are read.
      const slots = [['prefill', 1, 'tokens_this_step'], ['prefill', 1, 'prompt_tokens'], ['prefill', 1, 'count'],
        ['decode', 2, 'context_length'], ['decode', 2, 'count']];
      for (const [list, row, field] of slots) {
        const step = {
          prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }, { tokens_this_step: 1, prompt_tokens: 1e8, count: 2 }],
          decode: [{ context_length: 10, count: 3 }, { context_length: 20 }, { context_length: 30, count: 4 }, { context_length: 40 }],
        };
        step[list][row][field] = value;
        const packed = packedStep({ prefill: step.prefill, decode: step.decode.map((r) => ({ count: 1, ...r })) }) ?? {
          prefill: new Float64Array(step.prefill.flatMap((r) => [r.tokens_this_step, r.prompt_tokens, r.count ?? 1])),
          decode: new Float64Array(step.decode.flatMap((r) => [r.context_length, r.count ?? 1])),
        };
        const label = `${list}[${row}].${field} = ${Object.is(value, -0) ? '-0' : value}`;
        const max = field === 'count' ? 1_000_000 : 100_000_000;
        // The CLI (native, without the module's quick loop) is the reference. An object is
        // the JSON text it stringifies to (NaN and Infinity become null).
        const cli = runCli({ ...header, step });
        const cliOutcome = cli.code === 0 ? JSON.stringify(JSON.parse(cli.stdout)) : cli.stderr;
        assert.equal(outcome(() => calc.compute({ ...header, step })), cliOutcome, `calc.compute(object), ${label}`);
        const expected = Number.isFinite(value) ? cliOutcome
          : `error: step.${list}[${row}].${field}: must be an integer from 1 to ${max}, got ${value}`;
        assert.equal(outcome(() => scenario.computePacked(packed.prefill, packed.decode)), expected, `computePacked, ${label}`);
      }
    }
  } finally {
    scenario.delete();
  }
});
