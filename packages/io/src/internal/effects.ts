/**
 * One body of I/O logic, two ways to run it. Every write path of the package (publishing a file,
 * committing a dataset version, writing deletion files) is written once, as a generator that yields
 * the I/O it needs as {@link Effect}s: a blocking call and its thread-pool twin that do the same
 * thing and fail the same way. {@link runSync} performs each effect with the blocking call (the
 * `…Sync` APIs); {@link runAsync} awaits the thread-pool form (`fs/promises`, AsyncFileSink), so the
 * event loop stays free during the I/O. Decisions, retries, clean-up on failure and error mapping
 * live in the generator, so the two forms cannot drift apart.
 *
 * ```ts
 * function* writeNewFile(path: string, bytes: Uint8Array): Task<void> {
 *   const file = yield* perform(openEffect(path, 'wx')); // a descriptor or a FileHandle (./fs-effects)
 *   try {
 *     yield* perform(writeEffect(file, bytes, 0));
 *   } finally {
 *     yield* perform(closeEffect(file));
 *   }
 * }
 * runSync(writeNewFile(p, bytes));        // blocking
 * await runAsync(writeNewFile(p, bytes)); // on libuv's thread pool
 * ```
 * An effect that throws (or rejects) is thrown into the generator at its `yield`, so ordinary
 * try/catch/finally blocks handle both forms.
 */

/** One I/O step: `sync` does it blocking, `async` does the same on the thread pool. Same result, same errors. */
export interface Effect<T> {
  readonly sync: () => T;
  readonly async: () => Promise<T>;
}

/** A body of I/O logic that yields effects and finally returns a `T`. */
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

function settleSync(effect: Effect<unknown>): Outcome {
  try {
    return { ok: true, value: effect.sync() };
  } catch (error) {
    return { ok: false, error };
  }
}

function settleAsync(effect: Effect<unknown>): Promise<Outcome> {
  // Through an executor so that an `async` form that throws instead of rejecting is caught too.
  return new Promise<unknown>((resolve) => resolve(effect.async())).then(
    (value): Outcome => ({ ok: true, value }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
}

/** Runs `task`, performing every effect with its blocking form. */
export function runSync<T>(task: Task<T>): T {
  let step = task.next();
  while (step.done !== true) step = resume(task, settleSync(step.value));
  return step.value;
}

/** Runs `task`, awaiting the thread-pool form of every effect. Errors thrown before the first effect reject too. */
export async function runAsync<T>(task: Task<T>): Promise<T> {
  let step = task.next();
  while (step.done !== true) step = resume(task, await settleAsync(step.value));
  return step.value;
}

/** An effect with nothing to do: `value`, at once (feeds values in hand to tasks that take effects). */
export function resolvedEffect<T>(value: T): Effect<T> {
  return { sync: () => value, async: () => Promise.resolve(value) };
}
