/**
 * Injected faults, scoped by method, path substring, request kind or "any write"; consumed in the order
 * added. A fault can answer with an error, add latency, or hold the request until released (so tests can
 * keep a request in flight without sleeping).
 */
export interface FaultSpec {
  match: {
    method?: string;
    pathIncludes?: string;
    kind?: string;
    /** Only requests that write (POST, PATCH, PUT, DELETE), e.g. "the next 3 writes". */
    writes?: boolean;
  };
  /** HTTP status to answer with; omit for a latency-only or hold-only fault. */
  status?: number;
  errorCode?: string;
  message?: string;
  /** How many matching requests it affects; default: every one until `clear()`. */
  times?: number;
  latencyMs?: number;
  /** Keep the request waiting until `release()` or `clear()`; it counts as in flight meanwhile. */
  hold?: boolean;
}

/** A failure of single records inside a Collections write, the rest of the call succeeding. */
export interface RecordFaultSpec {
  /** Records whose field (any object, compared case-insensitively) has this value. */
  field: string;
  value: string;
  errorCode?: string;
  message?: string;
  /** How many matching records it fails; default 1. */
  times?: number;
}

export interface FaultHit {
  status: number | undefined;
  errorCode: string;
  message: string;
  latencyMs: number;
  /** Resolves when a held request may continue. */
  held: Promise<void> | undefined;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export function createFaults() {
  let faults: Array<FaultSpec & { remaining: number }> = [];
  let recordFaults: Array<RecordFaultSpec & { remaining: number }> = [];
  let releases: Array<() => void> = [];
  let heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  const notifyHeld = () => {
    heldWaiters = heldWaiters.filter((w) => {
      if (releases.length < w.count) return true;
      w.resolve();
      return false;
    });
  };
  const release = () => {
    const pending = releases;
    releases = [];
    for (const r of pending) r();
  };
  return {
    inject(spec: FaultSpec): void {
      faults.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
    },
    injectRecord(spec: RecordFaultSpec): void {
      recordFaults.push({ ...spec, remaining: spec.times ?? 1 });
    },
    /** The record fault this record hits, counting one use of it. */
    takeRecord(record: Record<string, unknown>): { errorCode: string; message: string } | undefined {
      if (recordFaults.length === 0) return undefined;
      const fault = recordFaults.find((f) =>
        Object.entries(record).some(
          ([k, v]) =>
            k.toLowerCase() === f.field.toLowerCase() && String(v).toLowerCase() === f.value.toLowerCase(),
        ),
      );
      if (!fault) return undefined;
      fault.remaining -= 1;
      recordFaults = recordFaults.filter((f) => f.remaining > 0);
      return {
        errorCode: fault.errorCode ?? 'UNABLE_TO_LOCK_ROW',
        message: fault.message ?? 'unable to obtain exclusive access to this record or 1 records',
      };
    },
    clear(): void {
      faults = [];
      recordFaults = [];
      release();
    },
    /** Lets every held request continue. */
    release,
    /** Resolves once at least `count` requests are being held. */
    whenHeld(count = 1): Promise<void> {
      return new Promise((resolve) => {
        heldWaiters.push({ count, resolve });
        notifyHeld();
      });
    },
    /**
     * The first fault matching this request, counting one use of it. A composite call is matched as a whole
     * only by faults aimed at any request or at it; its subrequests (`subrequest`) by the targeted faults
     * (a kind, a path, a method, writes), so "fail upserts" fails an upsert wherever it travels.
     */
    take(method: string, path: string, kind: string, subrequest = false): FaultHit | undefined {
      if (faults.length === 0) return undefined;
      const targeted = (f: FaultSpec) =>
        Boolean(f.match.kind || f.match.pathIncludes || f.match.method || f.match.writes);
      const fault = faults.find(
        (f) =>
          f.remaining > 0 &&
          (subrequest
            ? targeted(f)
            : kind !== 'composite' || !f.match.writes || f.match.kind === 'composite') &&
          (!f.match.method || f.match.method.toUpperCase() === method) &&
          (!f.match.pathIncludes || path.includes(f.match.pathIncludes)) &&
          (!f.match.kind || f.match.kind === kind) &&
          (!f.match.writes || WRITE_METHODS.has(method)),
      );
      if (!fault) return undefined;
      fault.remaining -= 1;
      faults = faults.filter((f) => f.remaining > 0);
      let held: Promise<void> | undefined;
      if (fault.hold) {
        held = new Promise((resolve) => releases.push(resolve));
        notifyHeld();
      }
      return {
        status: fault.status,
        errorCode: fault.errorCode ?? 'UNKNOWN_EXCEPTION',
        message: fault.message ?? 'An unexpected error occurred.',
        latencyMs: fault.latencyMs ?? 0,
        held,
      };
    },
  };
}
export type Faults = ReturnType<typeof createFaults>;
