// The heap memory the page's module reads batches from: a view of it as doubles, and a
// pool of blocks, one per call in flight.

/** A batch in heap memory malloc'd for one call: 3 doubles per prefill row, then 2 per decode row.
 * @typedef {{ address: number, bytes: number }} HeapBlock
 * @typedef {{ block: HeapBlock, address: number, prefillRows: number, decodeRows: number }} HeapRows */

/** @param {{ HEAPF64: Float64Array }} glue
 * @param {{ malloc(bytes: number): number, free(address: number): void }} heapFunctions */
export function createHeapPool(glue, { malloc, free }) {
  // The heap as doubles. Growing the memory detaches the old view (its length becomes 0),
  // so it is re-read then; reading glue.HEAPF64 on every access would cost more than the
  // computation (the glue object is a slow dictionary).
  let heapView = glue.HEAPF64;
  /** @returns {Float64Array} */
  function heap() {
    if (heapView.length === 0) heapView = glue.HEAPF64;
    return heapView;
  }

  // Each call's rows go into a heap block of its own, taken from the blocks no call is
  // using (or malloc'd) and given back when the call is done: a call made by a getter
  // while rows are being packed takes another block, so no state is shared between them,
  // and a run of calls reuses one block instead of a malloc and a free each.
  /** @type {HeapBlock[]} */
  const spareBlocks = [];
  /** @param {number} bytes @returns {HeapBlock} */
  function takeBlock(bytes) {
    const block = spareBlocks.pop();
    if (block !== undefined && block.bytes >= bytes) return block;
    if (block !== undefined) free(block.address);
    const size = Math.max(bytes, 2 * (block?.bytes ?? 0), 4096);
    return { address: malloc(size), bytes: size };
  }
  /** @param {HeapRows} rows */
  function release(rows) {
    spareBlocks.push(rows.block);
  }
  return { heap, takeBlock, release };
}
