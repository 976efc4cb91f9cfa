/**
 * @vego/test-support: helpers shared by the tests, benchmarks and examples of this repository
 * (private, never published). Tests import it from source (jest maps the name); benchmarks and
 * examples import the build (`pnpm build`).
 * @packageDocumentation
 */
export { seededRandom, gaussian } from './random';
export { readVecs, readFvecs, vecsBytes } from './vecs';
export type { VecsFile } from './vecs';
