/**
 * @vego/cli: the `vego` command as a library, so it can be embedded and tested.
 * @packageDocumentation
 */
export { main, USAGE } from './main';
export type { CommandIo } from './command';
export { parseArgs, checkPositionals } from './args';
export type { OptionSpec, ParsedArgs } from './args';
export { readVectorFile, parseVecs, parseNpy, parseJsonLines, parseJsonFile, parseJsonArray, VECTOR_FILE_FORMATS } from './vector-files';
export { readGroundTruth, hitsInTruth } from './ground-truth';
export type { GroundTruth } from './ground-truth';
export { cliVersion } from './version';
export type { VectorSet } from './vector-files';
export { clusteredVectors, seededRandom } from './synthetic';
