// Page bootstrap: wires state, URL, storage, editors and views; one rAF-coalesced render.
import './style.css';
import { loadCalc, compute, presets as loadPresets } from './calc.mjs';
import { defaultState, parseQuery, toQuery, buildRequest, DEFAULTS, copyRows } from './state.mjs';
import { loadStore, saveStore, newKey } from './storage.mjs';
import { createBatchEditor } from './batch.mjs';
import { createResults } from './results.mjs';
import { createCharts, SLIDER } from './charts.mjs';
import { createCompare } from './compare.mjs';
import { sweep } from './calc.mjs';
import { num } from './format.mjs';

const $ = (id) => document.getElementById(id);

function notice(text) {
  const box = $('notices');
  const p = document.createElement('p');
  p.className = 'notice';
  p.append(text, ' ');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = 'Dismiss';
  b.addEventListener('click', () => p.remove());
  p.append(b);
  box.append(p);
}

function showFatal(text) {
  const el = $('step-time');
  el.textContent = 'unavailable';
  el.dataset.us = '';
  notice(text);
}

async function start() {
  try {
    await loadCalc();
  } catch (e) {
    showFatal(`The calculator's WebAssembly module could not be loaded (${e?.message ?? e}). Reload the page to retry.`);
    return;
  }
  const P = loadPresets();
  const ids = {
    models: new Set(P.models.map((m) => m.id)),
    gpus: new Set(P.gpus.map((g) => g.id)),
    coefs: new Set(P.coefficients.map((c) => c.id)),
  };
  const coefById = Object.fromEntries(P.coefficients.map((c) => [c.id, c]));
  const { store, notice: storeNotice } = loadStore();
  if (storeNotice) notice(storeNotice);

  const state = defaultState(coefById[P.default_coefficients].beta);
  const bad = parseQuery(location.search, state, ids);
  validateAgainstCore(state, store, bad);
  for (const name of bad) {
    notice(`The link's parameter "${name}" is not valid and was replaced by the default (${defaultText(name)}).`);
  }
  if (state.embed) document.body.classList.add('embed');

  // ---- selects ----
  const modelSel = $('model'), gpuSel = $('gpu'), coefSel = $('coef');
  const option = (value, text) => { const o = document.createElement('option'); o.value = value; o.textContent = text; return o; };
  const group = (label, opts) => { const g = document.createElement('optgroup'); g.label = label; g.append(...opts); return g; };

  function fillModels() {
    const label = (m) => `${m.name} · L${m.L} d${m.d} H${m.H} kv${m.kv_heads}` + (m.kind === 'moe' ? ` · ${m.N} experts, top-${m.k}` : '');
    const custom = Object.entries(store.models).map(([k, v]) => option(`custom:${k}`, `${v.name} (custom)`));
    modelSel.replaceChildren(
      group('Dense', P.models.filter((m) => m.kind === 'dense').map((m) => option(m.id, label(m)))),
      group('Mixture of experts', P.models.filter((m) => m.kind === 'moe').map((m) => option(m.id, label(m)))),
      ...(custom.length ? [group('Your models (this browser)', custom)] : []),
    );
    if (state.model.startsWith('custom:') && !store.models[state.model.slice(7)]) state.model = DEFAULTS.model;
    modelSel.value = state.model;
  }
  function fillGpus() {
    const custom = Object.entries(store.gpus).map(([k, v]) => option(`custom:${k}`, `${v.name} (custom)`));
    gpuSel.replaceChildren(
      group('Presets', P.gpus.map((g) => option(g.id, `${g.name} · ${g.dense_fp16_tflops} TFLOPS · ${g.hbm_tb_s} TB/s`))),
      ...(custom.length ? [group('Your GPUs (this browser)', custom)] : []),
    );
    if (state.gpu.startsWith('custom:') && !store.gpus[state.gpu.slice(7)]) state.gpu = DEFAULTS.gpu;
    gpuSel.value = state.gpu;
  }
  coefSel.replaceChildren(...P.coefficients.map((c) => option(c.id, c.name)), option('custom', 'Custom β (edit the seven numbers)'));
  fillModels();
  fillGpus();

  const BETA_NAMES = ['β₁ prefill max', 'β₂ decode max', 'β₃ weights', 'β₄ TP comm', 'β₅ per layer', 'β₆ per request', 'β₇ constant'];
  const betaInputs = BETA_NAMES.map((name, i) => {
    const label = document.createElement('label');
    label.className = 'cell';
    const span = document.createElement('span');
    span.textContent = name;
    const input = document.createElement('input');
    Object.assign(input, { type: 'number', min: '0', step: 'any', inputMode: 'decimal' });
    input.dataset.where = `coefficients.beta[${i}]`;
    input.setAttribute('aria-describedby', 'coef-error');
    input.addEventListener('input', () => { state.beta[i] = input.value; schedule(); });
    label.append(span, input);
    $('beta-fields').append(label);
    return input;
  });

  function syncControls() {
    modelSel.value = state.model;
    gpuSel.value = state.gpu;
    coefSel.value = state.coef;
    $('tp').value = state.tp;
    betaInputs.forEach((inp, i) => { inp.value = state.beta[i]; });
    $('beta-editor').hidden = state.coef !== 'custom';
    $('sweep-var').value = state.sweep;
    infoLines();
  }

  function infoLines(r) {
    const m = P.models.find((x) => x.id === state.model);
    const cm = store.models[state.model.slice(7)];
    const arch = m ?? r?.arch;
    let text = m ? `${m.kind === 'moe' ? 'MoE' : 'Dense'} · ` : cm ? `Custom (${cm.name}) · ` : '';
    if (arch) {
      text += `L ${arch.L} · d ${arch.d} · heads ${arch.H} · kv heads ${arch.kv_heads} · d_h ${arch.d_h} · d_ff ${arch.d_ff}` +
        (arch.N > 0 ? ` · experts ${arch.N}, ${arch.k} active` : '');
    }
    if (m) text += ` · source: ${m.source}`;
    $('model-info').textContent = text;
    $('config-delete').hidden = !cm;
    const g = P.gpus.find((x) => x.id === state.gpu);
    const cg = store.gpus[state.gpu.slice(7)];
    const hw = r?.hardware;
    $('gpu-info').textContent = g
      ? `${g.dense_fp16_tflops} TFLOPS dense FP16 · ${g.hbm_tb_s} TB/s HBM · ${g.link_gb_s} GB/s ${linkName(g.link)} · source: ${g.source}`
      : cg && hw ? `Custom (${cg.name}) · ${hw.flops_peak_tflops} TFLOPS dense FP16 · ${hw.bw_hbm_tb_s} TB/s HBM · ${hw.bw_link_gb_s} GB/s ${linkName(hw.link)}` : '';
    $('cg-delete').hidden = !cg;
    const c = coefById[state.coef];
    $('coef-info').textContent = c ? `β = [${c.beta.map((b) => num(b)).join(', ')}] · source: ${c.source}` : 'Your own β, applied as step = Σ βᵢ·Xᵢ.';
    const custom = [cm && `model “${cm.name}”`, cg && `GPU “${cg.name}”`].filter(Boolean);
    $('share-custom').hidden = custom.length === 0;
    $('share-custom').textContent = custom.length
      ? `The custom ${custom.join(' and ')} is stored only in this browser and cannot travel in a link; the link uses the default ${[cm && 'model', cg && 'GPU'].filter(Boolean).join(' and ')} instead.`
      : '';
  }

  // ---- views ----
  const batch = createBatchEditor(state, schedule);
  const results = createResults();
  const charts = createCharts({ sweep });
  const compare = createCompare();

  // ---- errors ----
  let errorMarks = [];
  function clearErrors() {
    for (const [input, p] of errorMarks) {
      input?.removeAttribute('aria-invalid');
      p.hidden = true;
      p.textContent = '';
    }
    errorMarks = [];
  }
  function fieldLabel(input) {
    const row = input.closest('.row');
    const label = input.closest('label')?.querySelector('span')?.textContent ?? document.querySelector(`label[for="${input.id}"]`)?.textContent;
    return [row?.querySelector('.row-title')?.textContent, label].filter(Boolean).join(', ');
  }
  function showError(where, what) {
    const input = where ? document.querySelector(`[data-where="${CSS.escape(where)}"]`) : null;
    let p;
    if (input) p = $(input.getAttribute('aria-describedby'));
    else if (where.startsWith('model')) p = $('model-error');
    else if (where.startsWith('gpu')) p = $('gpu-error');
    else if (where.startsWith('coefficients')) p = $('coef-error');
    else if (where === 'tp') p = $('tp-error');
    else p = $('step-error');
    p.textContent = input ? `${fieldLabel(input)}: ${what} (${where})` : `${where ? where + ': ' : ''}${what}`;
    p.hidden = false;
    input?.setAttribute('aria-invalid', 'true');
    errorMarks.push([input, p]);
  }

  // ---- render ----
  // At most one update per frame: the first edit of a frame renders at once (lowest
  // latency); later edits in the same frame are coalesced into one render at the next rAF.
  let frameBusy = false, dirty = false, lastGood = null, urlTimer = 0;
  function schedule() {
    if (frameBusy) {
      dirty = true;
      return;
    }
    frameBusy = true;
    render();
    requestAnimationFrame(frameEnd);
  }
  function frameEnd() {
    if (!dirty) {
      frameBusy = false;
      return;
    }
    dirty = false;
    render();
    requestAnimationFrame(frameEnd);
  }
  function render() {
    const start = performance.now();
    clearErrors();
    const { request, empty } = buildRequest(state, store);
    let out;
    if (empty.length) out = { ok: false, where: empty[0], what: 'is empty; enter a number' };
    else out = compute(request);
    if (!out.ok) {
      showError(out.where, out.what);
      $('stale').hidden = !lastGood;
    } else {
      const r = out.value;
      lastGood = r;
      $('stale').hidden = true;
      results.update(r, request);
      batch.showTotals(r);
      charts.setRoofline(r);
      charts.setSweep(state.sweep, request);
      compare.update(r);
      if (document.activeElement !== slider) syncSlider();
      $('scenario-line').textContent = `${r.scenario.model} on ${r.scenario.gpu}, TP ${r.scenario.tp}, coefficients ${r.scenario.coefficients}`;
      if (state.model.startsWith('custom:') || state.gpu.startsWith('custom:')) infoLines(r);
      postToParent(r);
    }
    syncUrlSoon();
    document.documentElement.dataset.renders = String(Number(document.documentElement.dataset.renders ?? 0) + 1);
    // For the benchmark and tests: when the update began and whether it succeeded.
    dispatchEvent(new CustomEvent('stepcalc:rendered', { detail: { ok: out.ok, start } }));
  }

  // replaceState is rate-limited by browsers, so the address bar follows at most every 150 ms.
  function syncUrlSoon() {
    if (urlTimer) return;
    urlTimer = setTimeout(() => {
      urlTimer = 0;
      history.replaceState(null, '', location.pathname + toQuery(state));
      $('open-full').href = location.pathname + toQuery(state, { embed: false });
    }, 150);
  }

  function shareUrl(embed) {
    return new URL(location.pathname + toQuery(state, { embed }), location.href).href;
  }
  function postToParent(r) {
    if (window.parent === window) return;
    // The result is public arithmetic on the scenario; any embedding page may read it.
    window.parent.postMessage({
      type: 'stepcalc:result', version: 1,
      step_time_us: r.step_time_us, basis: r.basis, bottleneck: r.bottleneck,
      contributions_us: r.contributions_us, scenario: r.scenario, url: shareUrl(false),
    }, '*');
  }

  // ---- controls ----
  modelSel.addEventListener('change', () => { state.model = modelSel.value; $('model-error').hidden = true; infoLines(); schedule(); });
  gpuSel.addEventListener('change', () => { state.gpu = gpuSel.value; fillCustomGpuEditor(); infoLines(); schedule(); });
  $('tp').addEventListener('input', (e) => { state.tp = e.target.value; schedule(); });
  document.querySelector('.quick[aria-label="Common TP values"]').addEventListener('click', (e) => {
    const v = e.target.closest('button')?.dataset.tp;
    if (!v) return;
    state.tp = v;
    $('tp').value = v;
    schedule();
  });
  coefSel.addEventListener('change', () => {
    if (coefSel.value === 'custom' && coefById[state.coef]) state.beta = coefById[state.coef].beta.map(String);
    state.coef = coefSel.value;
    syncControls();
    schedule();
  });
  $('sweep-var').addEventListener('change', (e) => { state.sweep = e.target.value; syncSlider(); schedule(); });

  // The slider sets the swept variable on every row (log scale), so the bottleneck flip
  // can be found by dragging.
  const slider = $('sweep-slider');
  function sliderRange() {
    const spec = SLIDER[state.sweep];
    const rows = state[spec.list];
    const hi = spec.list === 'prefill' ? Math.min(...rows.map((r) => Number(r.p)).filter((v) => v >= 1), spec.max) : spec.max;
    return { spec, rows, hi: Number.isFinite(hi) && hi > 1 ? hi : 1 };
  }
  function syncSlider() {
    const { spec, rows, hi } = sliderRange();
    $('sweep-slider-label').textContent = spec.label;
    slider.disabled = rows.length === 0 || hi <= 1;
    const v = Number(rows[0]?.[spec.key]);
    $('sweep-slider-out').textContent = rows.length ? (rows.every((r) => r[spec.key] === rows[0][spec.key]) ? rows[0][spec.key] : 'rows differ') : `no ${spec.list} rows`;
    if (v >= 1 && hi > 1) slider.value = String(Math.round((Math.log(Math.min(v, hi)) / Math.log(hi)) * 1000));
  }
  slider.addEventListener('input', () => {
    const { spec, rows, hi } = sliderRange();
    const v = String(Math.max(1, Math.round(Math.exp((Number(slider.value) / 1000) * Math.log(hi)))));
    for (const r of rows) r[spec.key] = v;
    batch.render();
    $('sweep-slider-out').textContent = v;
    schedule();
  });

  // ---- custom model ----
  const configText = $('config-text'), configErr = $('config-error');
  function configError(text) {
    configErr.textContent = text;
    configErr.hidden = false;
    configText.setAttribute('aria-invalid', 'true');
  }
  function useConfig() {
    configErr.hidden = true;
    configText.removeAttribute('aria-invalid');
    let cfg;
    try {
      cfg = JSON.parse(configText.value);
    } catch (e) {
      return configError(`config.json is not valid JSON: ${e.message}. The model in use is unchanged.`);
    }
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) {
      return configError('config.json must be a JSON object. The model in use is unchanged.');
    }
    const check = compute({ model: cfg, gpu: DEFAULTS.gpu, tp: 1, step: { decode: [{ context_length: 1 }] } });
    if (!check.ok) return configError(`${check.where}: ${check.what}. The model in use is unchanged.`);
    const name = ($('config-name').value.trim() || String(cfg._name_or_path ?? cfg.model_type ?? 'custom model')).slice(0, 80);
    const key = newKey(store.models, name);
    store.models[key] = { name, config: cfg };
    if (!saveStore(store)) notice('This browser did not let the page save the model; it lasts until you leave the page.');
    state.model = `custom:${key}`;
    fillModels();
    infoLines();
    schedule();
  }
  $('config-use').addEventListener('click', useConfig);
  $('config-file').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 1_000_000) return configError(`${file.name} is larger than 1 MB; a config.json is a few KB. The model in use is unchanged.`);
    configText.value = await file.text();
    if (!$('config-name').value.trim()) $('config-name').value = file.name.replace(/\.json$/i, '');
    useConfig();
  });
  $('config-delete').addEventListener('click', () => {
    delete store.models[state.model.slice(7)];
    saveStore(store);
    state.model = DEFAULTS.model;
    fillModels();
    infoLines();
    schedule();
  });

  // ---- custom GPU ----
  const CG = [['cg-tflops', 'Dense FP16 TFLOPS', 'gpu.compute.fp16_tensor_core'], ['cg-hbm', 'HBM bandwidth', 'gpu.memory.bandwidth_tb_s'], ['cg-link', 'GPU link', 'gpu.interconnect']];
  function fillCustomGpuEditor() {
    const cg = store.gpus[state.gpu.slice(7)];
    if (!cg) return;
    const ds = cg.datasheet;
    const kind = Object.keys(ds.interconnect ?? {})[0] ?? 'nvlink_bandwidth_gb_s';
    $('cg-name').value = cg.name;
    $('cg-tflops').value = ds.compute.fp16_tensor_core;
    $('cg-hbm').value = ds.memory.bandwidth_tb_s;
    $('cg-link').value = ds.interconnect?.[kind] ?? '';
    $('cg-link-kind').value = kind;
  }
  $('cg-use').addEventListener('click', () => {
    const err = $('cg-error');
    err.hidden = true;
    CG.forEach(([id]) => $(id).removeAttribute('aria-invalid'));
    const fail = (id, text) => {
      err.textContent = `${text}. The GPU in use is unchanged.`;
      err.hidden = false;
      if (id) $(id).setAttribute('aria-invalid', 'true');
    };
    const val = (id) => { const s = $(id).value.trim(); return s === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s; };
    for (const [id, label] of CG.slice(0, 2)) if (val(id) === undefined) return fail(id, `${label} is empty`);
    const name = $('cg-name').value.trim() || 'Custom GPU';
    const ds = {
      name, source: 'entered in stepcalc',
      compute: { fp16_tensor_core: val('cg-tflops'), with_sparsity: false },
      memory: { bandwidth_tb_s: val('cg-hbm') },
    };
    if (val('cg-link') !== undefined) ds.interconnect = { [$('cg-link-kind').value]: val('cg-link') };
    const check = compute({ model: DEFAULTS.model, gpu: ds, tp: 1, step: {} });
    if (!check.ok) {
      const hit = CG.find(([, , where]) => check.where.startsWith(where));
      return fail(hit?.[0], `${hit ? hit[1] : check.where}: ${check.what}`);
    }
    const existing = state.gpu.startsWith('custom:') && store.gpus[state.gpu.slice(7)]?.name === name ? state.gpu.slice(7) : null;
    const key = existing ?? newKey(store.gpus, name);
    store.gpus[key] = { name, datasheet: ds };
    if (!saveStore(store)) notice('This browser did not let the page save the GPU; it lasts until you leave the page.');
    state.gpu = `custom:${key}`;
    fillGpus();
    infoLines();
    schedule();
  });
  $('cg-delete').addEventListener('click', () => {
    delete store.gpus[state.gpu.slice(7)];
    saveStore(store);
    state.gpu = DEFAULTS.gpu;
    fillGpus();
    infoLines();
    schedule();
  });

  // ---- share ----
  async function share(text, what) {
    const box = $('share-text'), status = $('share-status');
    box.value = text;
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = `${what} copied to the clipboard.`;
    } catch {
      box.focus();
      box.select();
      status.textContent = `${what} is selected in the box below; press Ctrl+C (⌘C) to copy it.`;
    }
  }
  $('copy-link').addEventListener('click', () => share(shareUrl(false), 'Link'));
  $('copy-embed').addEventListener('click', () => {
    const src = shareUrl(true).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    share(`<iframe src="${src}" title="stepcalc: LLM inference step time" width="640" height="480" style="border:0" loading="lazy"></iframe>`, 'Embed code');
  });
  $('open-full').hidden = !state.embed;

  syncControls();
  fillCustomGpuEditor();
  batch.render();
  render();
  document.documentElement.dataset.ready = '1';
}

function defaultText(name) {
  const d = { model: DEFAULTS.model, gpu: DEFAULTS.gpu, tp: DEFAULTS.tp, coef: DEFAULTS.coef, beta: `coefficients ${DEFAULTS.coef}`, sweep: 'decode-count' };
  if (name === 'prefill') return DEFAULTS.prefill.map((r) => `${r.t}:${r.p}`).join(',');
  if (name === 'decode') return DEFAULTS.decode.map((r) => `${r.c}x${r.n}`).join(',');
  return d[name] ?? 'default';
}

// Values that pass the URL syntax but the core rejects (a chunk larger than its prompt,
// a zero count, TP beyond the core's range) fall back per parameter too.
function validateAgainstCore(state, store, bad) {
  for (let i = 0; i < 5; i++) {
    const out = compute(buildRequest(state, store).request);
    if (out.ok) return;
    let name;
    if (out.where.startsWith('step.prefill')) { name = 'prefill'; state.prefill = copyRows(DEFAULTS.prefill); }
    else if (out.where.startsWith('step.decode')) { name = 'decode'; state.decode = copyRows(DEFAULTS.decode); }
    else if (out.where === 'tp' || out.where.startsWith('gpu')) { name = 'tp'; state.tp = DEFAULTS.tp; }
    else if (out.where.startsWith('coefficients')) { name = 'beta'; state.coef = DEFAULTS.coef; }
    else return;
    if (!bad.includes(name)) bad.push(name);
  }
}

function linkName(link) {
  return { nvlink_bandwidth_gb_s: 'NVLink', link_bandwidth_gb_s: 'GPU link', pcie_bandwidth_gb_s: 'PCIe', none: 'no link' }[link] ?? link;
}

start().catch((e) => showFatal(`The calculator stopped with an unexpected error: ${e?.message ?? e}`));
