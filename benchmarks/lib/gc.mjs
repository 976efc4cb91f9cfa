// A callable garbage collector for benchmarks that measure retained memory: `global.gc` when node
// runs with --expose-gc, otherwise the flag is set at run time and gc is taken from a new context.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export function getGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}
