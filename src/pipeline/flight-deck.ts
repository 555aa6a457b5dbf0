/**
 * What the worker and the Salesforce batchers tell each other: how many jobs are in flight, how many of them
 * are waiting for a batch to leave, and whether the worker is full (it will not start more jobs until some
 * finish). When every job in flight is waiting for a batch, lingering longer gains nothing for reads, and
 * nothing for writes either while the worker is full: the batchers send at once instead of at their timers.
 * Timers stay the upper bound; this only ever sends earlier.
 */
export interface FlightDeck {
  jobStarted(): void;
  jobFinished(): void;
  /** The worker will (not) start more jobs before some finish. */
  setFull(full: boolean): void;
  /** Whether it said so last: a backlog, where waiting for the stall beats sending on a timer. */
  isFull(): boolean;
  /** A caller started (positive) or stopped (negative) waiting for a batch to leave. */
  waiting(delta: number): void;
  /** Called (in a microtask) when every job in flight is waiting; `full` as last set. */
  onStall(listener: (full: boolean) => void): void;
}

export function createFlightDeck(): FlightDeck {
  let inFlight = 0;
  let waitingCalls = 0;
  let full = false;
  let scheduled = false;
  const listeners: ((full: boolean) => void)[] = [];

  function check() {
    if (scheduled || inFlight === 0 || waitingCalls < inFlight) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      if (inFlight > 0 && waitingCalls >= inFlight) for (const listener of listeners) listener(full);
    });
  }

  return {
    jobStarted: () => {
      inFlight += 1;
    },
    jobFinished: () => {
      inFlight -= 1;
      check();
    },
    setFull: (value) => {
      full = value;
      check();
    },
    isFull: () => full,
    waiting: (delta) => {
      waitingCalls += delta;
      check();
    },
    onStall: (listener) => {
      listeners.push(listener);
    },
  };
}
