/**
 * Stop on SIGINT/SIGTERM (a cancelled GitHub job sends SIGINT, then SIGTERM; a terminal user
 * presses Ctrl-C) without exiting: the check aborts and its adapter still reports what it measured.
 * Used by the two adapters; `dispose` restores Node's default handling.
 */
export interface StopSignals {
  signal: AbortSignal;
  /** The first signal received, e.g. `SIGTERM`; '' while none. */
  stoppedBy: () => string;
  dispose: () => void;
}

export function stopOnSignals(): StopSignals {
  const controller = new AbortController();
  let stoppedBy = '';
  const onSignal = (name: NodeJS.Signals) => {
    stoppedBy ||= name;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    stoppedBy: () => stoppedBy,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
