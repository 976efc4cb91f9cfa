/**
 * One body of save/load logic, two ways to run it (as @vego/io writes its commits): the logic is a
 * generator that yields the I/O it needs as {@link Step}s, each with a blocking form and an
 * asynchronous one that do the same thing and fail the same way. {@link runStepsSync} performs the
 * blocking forms (`saveToLanceSync`, `loadFromLanceSync`), {@link runStepsAsync} awaits the others
 * (`saveToLance`, `loadFromLance`, and everything on an object store, whose requests are
 * asynchronous only). Decisions, checks and clean-up live in the generator, so the two forms
 * cannot drift apart.
 */
import { type Effect, type Task, perform as performEffect, runTaskAsync, runTaskSync } from '@vego/io';
import type { Pacer } from '../internal/pacer';

/** One I/O step: `sync` does it blocking, `async` does the same without blocking (@vego/format's `Effect`). */
export type Step<T> = Effect<T>;

/** A body of logic that yields steps and finally returns a `T` (@vego/format's `Task`). */
export type Steps<T> = Task<T>;

/** Performs `step` inside a generator and returns its result: `const ds = yield* perform(openStep(…))`. */
export const perform: <T>(step: Step<T>) => Steps<T> = performEffect;

/** Runs `steps` with the blocking form of every step. */
export const runStepsSync: <T>(steps: Steps<T>) => T = runTaskSync;

/** Runs `steps`, awaiting the asynchronous form of every step (a step whose async form throws fails as one that rejects). */
export const runStepsAsync: <T>(steps: Steps<T>) => Promise<T> = runTaskAsync;

/**
 * Nothing to do blocking; asynchronously, lets the event loop run once (`setImmediate`) before the
 * logic goes on: between two long synchronous pieces of an async save (planning, then encoding).
 */
export const EVENT_LOOP_TURN: Step<void> = {
  sync: () => undefined,
  async: () => new Promise<void>((resolve) => setImmediate(resolve)),
};

/**
 * An {@link EVENT_LOOP_TURN} when `pacer` is due, else nothing: long planning loops call it every
 * few hundred items so that an async save never holds the event loop for long (a sync one runs on).
 */
export function* pace(pacer: Pacer): Steps<void> {
  if (!pacer.due()) return;
  yield EVENT_LOOP_TURN;
  pacer.restart();
}

/**
 * Two bodies of steps as one step: blocking, the first then the second (the second does not start
 * when the first throws); asynchronous, both at once, the second one event-loop turn after the first (their I/O overlaps: two dataset commits, two
 * object-store uploads), waiting for both to settle before returning both results or throwing the
 * first one's error (then the second's).
 */
export function bothSteps<A, B>(first: Steps<A>, second: Steps<B>): Step<[A, B]> {
  return {
    sync: () => {
      const a = runStepsSync(first);
      return [a, runStepsSync(second)];
    },
    async: async () => {
      // The second starts one event-loop turn later: each runs synchronously up to its first
      // await (encoding a dataset's rows, tens of ms for a full save), and the two back to back
      // would hold the event loop for both.
      const later = async (): Promise<B> => {
        await EVENT_LOOP_TURN.async();
        return runStepsAsync(second);
      };
      const [a, b] = await Promise.allSettled([runStepsAsync(first), later()]);
      if (a.status === 'rejected') throw a.reason;
      if (b.status === 'rejected') throw b.reason;
      return [a.value, b.value];
    },
  };
}
