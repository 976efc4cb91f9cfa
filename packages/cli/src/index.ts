/**
 * @vego/cli: the `vego` command as a library, so it can be embedded and tested.
 * @packageDocumentation
 */
export { main, USAGE } from './main';
export type { CommandIo } from './command';
export { parseArgs } from './args';
export type { OptionSpec, ParsedArgs } from './args';
export { readVectorFile, parseVecs, parseNpy, parseJsonLines } from './vector-files';
export type { VectorSet } from './vector-files';
export { clusteredVectors, seededRandom } from './synthetic';
