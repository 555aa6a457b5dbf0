/** Wakes sleeping loops early (a webhook committed new events) or lets them sleep until a deadline. */
export function createSignal() {
  let waiters: (() => void)[] = [];
  return {
    wake() {
      const current = waiters;
      waiters = [];
      for (const resolve of current) resolve();
    },
    wait(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }
        waiters.push(done);
      });
    },
  };
}
