// At most one update per frame: the first change of a frame renders at once (lowest
// latency); later changes in the same frame are coalesced into one render at the next rAF.

/** @param {() => void} render @returns {() => void} schedule: call on every change */
export function frameScheduler(render) {
  let frameBusy = false, dirty = false;
  function frameEnd() {
    if (!dirty) {
      frameBusy = false;
      return;
    }
    dirty = false;
    render();
    requestAnimationFrame(frameEnd);
  }
  return function schedule() {
    if (frameBusy) {
      dirty = true;
      return;
    }
    frameBusy = true;
    render();
    requestAnimationFrame(frameEnd);
  };
}
