/** The Lance reader and writer join and null-fill arrays with @vego/arrow's kernels. */
export { concatData, makeNullData } from '@vego/encoding';
