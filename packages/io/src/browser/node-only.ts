/**
 * Browser stand-ins for the parts of @vego/io that need Node's file system. The package.json
 * `browser` field swaps each Node-only module for a file in this folder when a bundler builds for
 * browsers (esbuild `platform: 'browser'`, webpack, Vite/Rollup with browser resolution), so
 * an import of @vego/io bundles without Node built-ins. Every name stays exported; using
 * one throws {@link NotSupportedError} saying what to use instead. Never used under Node.
 */
import { NotSupportedError } from '@vego/format';

/** What a browser page can use instead of the file-system APIs. */
export const BROWSER_HINT =
  'in a browser use the byte-level APIs: MemorySource / MemorySink with LanceFileReader / LanceFileWriter ' +
  '(bytes from fetch() or a File), and index.toSnapshot() / HNSW.fromSnapshot() for an index';

/**
 * The error every stand-in throws.
 * @param what - the call that was attempted, e.g. `Dataset.openSync()`
 */
export function needsNode(what: string): NotSupportedError {
  return new NotSupportedError(`${what} needs Node (file system), which this browser build does not have: ${BROWSER_HINT}`);
}

/**
 * A stand-in for a function: throws {@link needsNode} when called.
 * @param name - the function's exported name
 */
export function nodeOnlyFunction(name: string): (...args: unknown[]) => never {
  const fn = (): never => {
    throw needsNode(`${name}()`);
  };
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/**
 * A stand-in for a class: `new` throws, and so does any static method (`Dataset.openSync(…)`).
 * `instanceof` answers false; the function's own properties (`name`, `prototype`) read normally.
 * @param name - the class's exported name
 */
export function nodeOnlyClass(name: string): new (...args: unknown[]) => never {
  const Unavailable = function (): never {
    throw needsNode(`new ${name}()`);
  };
  Object.defineProperty(Unavailable, 'name', { value: name });
  return new Proxy(Unavailable, {
    get(target, key, receiver): unknown {
      if (typeof key === 'symbol' || key in target) return Reflect.get(target, key, receiver);
      return nodeOnlyFunction(`${name}.${key}`);
    },
  }) as unknown as new (...args: unknown[]) => never;
}
