// The Trace view's "Download CSV": the per-step table as `stepcalc trace --format csv`
// writes it, built in pieces from the typed columns.

/** @typedef {import('./wasm/stepcalc.mjs').TraceColumns} TraceColumns */
/** @typedef {import('./wasm/stepcalc.mjs').StepIdCells} StepIdCells */

// The CLI's CSV columns (`stepcalc trace --format csv`), in order.
/** @type {(keyof TraceColumns)[]} */
const CSV_COLUMNS = ['step_id', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv', 't_weight', 't_tp', 'num_layers',
  'batch_size', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'step_time_us', 'duration_us', 'error_pct'];

const csvNumber = (/** @type {number} */ x) => (Number.isNaN(x) ? '' : String(x));

// The per-step table as CSV text pieces (one per 4,096 rows), for a Blob. An id that is
// not a plain integer (text, say) comes as the core wrote its cell.
/** @param {TraceColumns} columns @param {StepIdCells} stepIdCells */
export function csvParts(columns, stepIdCells) {
  const cols = CSV_COLUMNS.map((name) => columns[name]);
  const idCells = new Map(Array.from(stepIdCells.rows, (row, k) => [row, stepIdCells.cells[k]]));
  const n = columns.step_time_us.length;
  const parts = [`${CSV_COLUMNS.join(',')}\n`];
  for (let start = 0; start < n; start += 4096) {
    let text = '';
    for (let i = start; i < Math.min(n, start + 4096); i++) {
      text += idCells.get(i) ?? csvNumber(cols[0][i]);
      for (let k = 1; k < cols.length; k++) text += `,${csvNumber(cols[k][i])}`;
      text += '\n';
    }
    parts.push(text);
  }
  return parts;
}

// Saves the table as trace.csv.
/** @param {TraceColumns} columns @param {StepIdCells} stepIdCells */
export function downloadCsv(columns, stepIdCells) {
  const url = URL.createObjectURL(new Blob(csvParts(columns, stepIdCells), { type: 'text/csv' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: 'trace.csv' });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
