// Compiled by `npm run typecheck` (never run): the declarations must accept the
// documented usage and reject misuse.

import createStepCalc, { StepCalcError, UnsupportedEngineError, type StepRequest, type StepResponse } from '../stepcalc.mjs';

const calc = await createStepCalc().catch((error: unknown) => {
  if (error instanceof UnsupportedEngineError) console.log(error.message); // another browser is needed
  throw error;
});

const request: StepRequest = {
  model: 'llama-2-70b-hf',
  gpu: 'h100-sxm',
  tp: 4,
  step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 512 }], decode: [{ context_length: 1000, count: 32 }] },
};
const response: StepResponse = calc.compute(request);
const stepTime: number = response.step_time_us;
const bound: 'compute' | 'memory' | 'none' = response.bottleneck.decode;
const kvTerm: number = response.basis.t_dc_kv;
const firstNote: string | undefined = response.notes[0]?.affects[0];
const modelIds: string[] = calc.presets().models.map((model) => model.id);
const series: Float64Array = calc.sweep(request, 'decode[0].count', [1, 2, 4]).step_time_us;
const fits: boolean | null = response.memory.fits;
const maxRows: number = calc.limits.max_rows;
const scenario = calc.scenario({ model: 'llama-2-7b-hf', gpu: 'l4', gpu_memory_utilization: 0.95 });
const packed: number = scenario.computePacked(new Float64Array([512, 2048, 1]), [1024, 32]).step_time_us;
const headroom: Float64Array = scenario.sweep({ decode: [{ context_length: 10 }] }, 'decode[0].count', [1, 2]).headroom_bytes;
scenario.delete();
const arch: number = calc.checkModel({ num_hidden_layers: 2 }).arch.L;
const served = await calc.simulate({ model: 'llama-2-7b-hf', gpu: 'h100-sxm', workload: { requests: 10, prompt_tokens: { min: 1, max: 9 } } });
const ttftP50: number = served.summary.ttft_us.p50;
const dominantTerm: string | undefined = served.step_records?.dominant[0];

try {
  calc.compute({ ...request, tp: 0 });
} catch (error) {
  if (error instanceof StepCalcError) console.log(error.where, error.what, error.message);
}

// @ts-expect-error: the step is required
calc.compute({ model: 'llama-2-7b-hf', gpu: 'h100-sxm' });
// @ts-expect-error: a decode group needs its context length
calc.compute({ ...request, step: { decode: [{ count: 2 }] } });
// @ts-expect-error: beta has seven entries
calc.compute({ ...request, coefficients: { beta: [1, 2, 3] } });
// @ts-expect-error: responses have no such field
console.log(response.step_time_ms);
// @ts-expect-error: a scenario's compute takes a step, not a whole request
scenario.compute(request);
// @ts-expect-error: a simulation needs its workload
calc.simulate({ model: 'llama-2-7b-hf', gpu: 'h100-sxm' });
// The grid: the CLI's response, and the quick way for many batches.
const { cells } = await calc.grid({ model: 'llama-2-7b-hf', tps: [1, 2], step: { decode: [{ context_length: 10 }] } });
const fastestUs: number | null = cells[0].step_time_us;
const grid = await calc.gridScenario({ model: 'llama-2-7b-hf', gpus: ['h100-sxm'], tps: [1, 8] });
const gridFits: boolean | null = grid.compute({ decode: [{ context_length: 10 }] })[0].fits;
grid.delete();
// @ts-expect-error: a grid request lists gpus, not one gpu
calc.grid({ model: 'llama-2-7b-hf', gpu: 'h100-sxm', step: {} });
// @ts-expect-error: a grid scenario's cells have no notes (calc.grid's do)
grid.compute({}).map((cell) => cell.notes);
console.log(fastestUs, gridFits);
// @ts-expect-error: limits are read-only
calc.limits.max_rows = 1;

console.log(stepTime, bound, kvTerm, firstNote, modelIds, series, fits, maxRows, packed, headroom, arch, ttftP50, dominantTerm);
