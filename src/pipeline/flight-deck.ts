/**
 * What the worker and the Salesforce batchers tell each other: how many jobs are in flight, how many of them
 * are waiting for a batch to leave, whether the worker is full (it will not start more jobs until some
 * finish), and whether queued work is left beyond what it could claim (a backlog). When every job in flight is
 * waiting for a batch and no other job can join it soon, lingering longer gains nothing: in a backlog the
 * batchers send lookups at once, and writes too while the worker is full. At a trickle (the queue drained, the
 * worker with room) the next delivery's jobs may still join, so lookups wait for their window. Timers stay the
 * upper bound; this only ever sends earlier.
 */
export interface FlightDeck {
  jobStarted(): void;
  jobFinished(): void;
  /** The worker will (not) start more jobs before some finish. */
  setFull(full: boolean): void;
  /** Whether it said so last: a backlog, where waiting for the stall beats sending on a timer. */
  isFull(): boolean;
  /** The worker's last claim took every job it asked for (more may be queued), or not (the queue ran dry). */
  setBacklog(backlog: boolean): void;
  /** A caller started (positive) or stopped (negative) waiting for a batch to leave. */
  waiting(delta: number): void;
  /** Called (in a microtask) when every job in flight is waiting; with the worker's state as last set. */
  onStall(listener: (state: StallState) => void): void;
}

export interface StallState {
  full: boolean;
  backlog: boolean;
}

export function createFlightDeck(): FlightDeck {
  let inFlight = 0;
  let waitingCalls = 0;
  let full = false;
  let backlog = false;
  let scheduled = false;
  const listeners: ((state: StallState) => void)[] = [];

  function check() {
    if (scheduled || inFlight === 0 || waitingCalls < inFlight) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      if (inFlight > 0 && waitingCalls >= inFlight)
        for (const listener of listeners) listener({ full, backlog });
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
    setBacklog: (value) => {
      backlog = value;
    },
    waiting: (delta) => {
      waitingCalls += delta;
      check();
    },
    onStall: (listener) => {
      listeners.push(listener);
    },
  };
}
