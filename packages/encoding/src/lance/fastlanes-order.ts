/**
 * The FastLanes value order shared by the bit-packing encoder (`fastlanes.ts`) and decoder
 * (`decode/fastlanes.ts`): row `r` of lane `l` of a 1024-value block is value number
 * `FL_ORDER[r >> 3] * 16 + (r & 7) * 128 + l`. One copy, so the two directions cannot disagree.
 */

/** FastLanes' transposition order of the eight 128-value groups of a block. */
export const FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7] as const;
