/**
 * Closes the files of sources dropped without `close()`. A `Dataset` keeps the files its reads
 * opened until `close()`, and a dataset that is simply let go (a temporary `Dataset.openSync(dir)`
 * read once, a version superseded by a write) would otherwise keep a synchronous descriptor open
 * for the life of the process, or leave an async `FileHandle` for the garbage collector to close:
 * Node prints a warning then (DEP0137, which a later Node may turn into an error).
 *
 * Each source registers its descriptor or handle with itself as the target; the registry holds the
 * descriptor strongly, so it outlives the source and is closed by the callback once the source is
 * collected. An explicit `close()` unregisters first, so a descriptor number is never closed twice
 * (it could be reused by then). The descriptor never leaves its source, so nothing still reads
 * through it when the source is unreachable.
 */
import * as fs from 'node:fs';
import type * as fsp from 'node:fs/promises';

const droppedFds = new FinalizationRegistry<number>((fd) => {
  fs.close(fd, () => undefined);
});

const droppedHandles = new FinalizationRegistry<fsp.FileHandle>((handle) => {
  handle.close().catch(() => undefined);
});

/** Closes `fd` once `owner` is garbage-collected, unless {@link forgetDescriptor} ran first. */
export function closeWhenDropped(owner: object, fd: number): void {
  droppedFds.register(owner, fd, owner);
}

/** Closes `handle` once `owner` is garbage-collected, unless {@link forgetHandle} ran first. */
export function closeHandleWhenDropped(owner: object, handle: fsp.FileHandle): void {
  droppedHandles.register(owner, handle, owner);
}

/** `owner` closes its descriptor itself. */
export function forgetDescriptor(owner: object): void {
  droppedFds.unregister(owner);
}

/** `owner` closes its handle itself. */
export function forgetHandle(owner: object): void {
  droppedHandles.unregister(owner);
}
