/**
 * One body of I/O logic, two ways to run it: the one effect type of Vego's packages. A read or a
 * write is written once, as a generator (a {@link Task}) that yields the I/O it needs as
 * {@link Effect}s: a blocking call and its asynchronous twin that do the same thing and fail the same
 * way. {@link runTaskSync} performs each effect with the blocking call (the `…Sync` APIs);
 * {@link runTaskAsync} awaits the asynchronous form (thread pool, network), so the event loop stays
 * free during the I/O. Decisions, retries, clean-up on failure and error mapping live in the
 * generator, so the two forms cannot drift apart. This package's file reader drives its reads
 * through it (./internal/io turns its byte-range steps into effects); @vego/io writes its commits,
 * scans and takes on it.
 *
 * An effect that throws (or rejects) is thrown into the generator at its `yield`, so ordinary
 * try/catch/finally blocks handle both forms.
 */

/**
 * One I/O step: `sync` does it blocking, `async` does the same without blocking. Same result, same
 * errors. A driver calls exactly one of the two.
 * @example
 * ```ts
 * const stat: Effect<fs.Stats> = { sync: () => fs.statSync(p), async: () => fsp.stat(p) };
 * ```
 */
export interface Effect<T> {
  readonly sync: () => T;
  readonly async: () => Promise<T>;
}

/**
 * A body of I/O logic that yields effects and finally returns a `T`; run it with {@link runTaskSync}
 * or {@link runTaskAsync}.
 * @example
 * ```ts
 * function* sizeOf(p: string): Task<number> {
 *   const stat = yield* perform<fs.Stats>({ sync: () => fs.statSync(p), async: () => fsp.stat(p) });
 *   return stat.size;
 * }
 * runTaskSync(sizeOf('a.lance'));        // blocking
 * await runTaskAsync(sizeOf('a.lance')); // without blocking
 * ```
 */
export type Task<T> = Generator<Effect<unknown>, T, unknown>;

/** Performs `effect` inside a task and returns its result: `const fd = yield* perform(openEffect(p))`. */
export function* perform<T>(effect: Effect<T>): Task<T> {
  return (yield effect) as T;
}

/** How an effect ended: its value, or what it threw. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Hands the outcome of the pending effect back to the task (as the `yield`'s value, or thrown there). */
function resume<T>(task: Task<T>, outcome: Outcome): IteratorResult<Effect<unknown>, T> {
  return outcome.ok ? task.next(outcome.value) : task.throw(outcome.error);
}

function settleAsync(effect: Effect<unknown>): Promise<Outcome> {
  // Through an executor so that an `async` form that throws instead of rejecting is caught too.
  return new Promise<unknown>((resolve) => resolve(effect.async())).then(
    (value): Outcome => ({ ok: true, value }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
}

/** Runs `task`, performing every effect with its blocking form. */
export function runTaskSync<T>(task: Task<T>): T {
  // No outcome object per step: reads run this loop once per I/O step of every file read.
  let step = task.next();
  while (step.done !== true) {
    let value: unknown;
    try {
      value = step.value.sync();
    } catch (error) {
      step = task.throw(error); // what the task does not catch leaves here, as from the task itself
      continue;
    }
    step = task.next(value);
  }
  return step.value;
}

/** Runs `task`, awaiting the asynchronous form of every effect. Errors thrown before the first effect reject too. */
export async function runTaskAsync<T>(task: Task<T>): Promise<T> {
  let step = task.next();
  while (step.done !== true) step = resume(task, await settleAsync(step.value));
  return step.value;
}

/** An effect with nothing to do: `value`, at once (feeds values in hand to tasks that take effects). */
export function resolvedEffect<T>(value: T): Effect<T> {
  return { sync: () => value, async: () => Promise.resolve(value) };
}

/**
 * Several effects as one: blocking, one after another in order; asynchronously, all in flight
 * together (so a source can coalesce and overlap their reads). Results in the order given; the
 * first failure fails the whole (asynchronously, after every effect has been started).
 * @example
 * ```ts
 * const [a, b] = yield* perform(allEffects([readEffect(0, 8), readEffect(64, 8)]));
 * ```
 */
export function allEffects<T>(effects: readonly Effect<T>[]): Effect<T[]> {
  return {
    sync: () => effects.map((e) => e.sync()),
    async: () => Promise.all(effects.map((e) => new Promise<T>((resolve) => resolve(e.async())))),
  };
}
