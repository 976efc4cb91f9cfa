/**
 * The layer-0 beam search in WebAssembly (text form: `walk.wat` beside this file, whose wabt
 * assembly `test/wat-sources.test.ts` checks against {@link walkModuleBytes}). The JS walk in
 * `graph.ts` paid for its heaps, visited tags and bounds checks in JS: on SIFT-9k and a hard
 * 20K × 96 set this walk runs the same layer-0 search in about 0.7× its CPU time, with the same
 * result heap bit for bit (same comparisons, same order of operations).
 */
import { type WasmMemory, type WasmModule, compileKernelModule, wasmApi } from './kernels';

/** The module's bytes in hex, as `walk.wat` assembles (wabt 1.0.39, no debug names). */
const WALK_MODULE_HEX =
  '0061736d0100000001340560037f7f7f017d60047f7f7c7f0060047f7f7f7f017f60047f7f7f7f017c60117f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f017f02210303656e76066d656d6f7279020301808004016b026c320000016b03646f74000003060501010203040711010d7365617263685f6c617965723000060a840705a20103027f027c017f02400340200441017441016a2105200520014e0d01200020054104746a2b03002106200541016a210820082001480440200020084104746a2b030021072007200664044020082105200721060b0b20062002650d01200020044104746a2006390300200020044104746a200020054104746a280208360208200521040c000b0b200020044104746a2002390300200020044104746a20033602080b7602027f017c20012104024003402004450d01200441016b4101752105200020054104746a2b0300210620062002660d01200020044104746a2006390300200020044104746a200020054104746a280208360208200521040c000b0b200020044104746a2002390300200020044104746a20033602080b3d00200120006a2d0000044041000f0b2000200246044041000f0b2003417f470440200320004105764102746a2802002000411f71764101710f0b41010b24002003047c44000000000000f03f2000200120021001bba1052000200120021000bb0b0b830403027f027c0c7f200620014101746a20073b01002000200141016a20036c2003200e10052114200b410020149a200110034101211144000000000000f07f21134101211a200120082009200a10040440200c410020142001100341012112201421130b024003402011450d01200b2b03009a201364201220024e710d01201a200f4a0440417f0f0b200b2802082115201141016b2111201141004a0440200b2011200b20114104746a2b0300200b20114104746a28020810020b2004201520056c6a2116201620162802004102746a21174100211902400340201620174f0d01201641046a211620162802002118200620184101746a212020202f01002007460d00202020073b0100200d20194102746a2018360200201941016a2119201841016a20036c211c201c20036a211d0340201b201c2802006a211b201c41c0006a211c201c201d490d000b0c000b0b201a20196a211a200d211e200d20194102746a211f02400340201e201f4f0d01201e2802002118201e41046a211e2000201841016a20036c2003200e1005211420122002482014201363720440201120104e0440417e0f0b200b201120149a20181003201141016a2111201820082009200a1004044020122002480440200c2012201420181003201241016a211205200c20122014201810020b200c2b030021130b0b0c000b0b0c000b0b200d201b36020020120b';

/** The walk module's bytes (imports `env.memory`, `k.l2`, `k.dot`; exports `search_layer0`). */
export function walkModuleBytes(): Uint8Array {
  const bytes = new Uint8Array(WALK_MODULE_HEX.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(WALK_MODULE_HEX.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * `search_layer0(q, ep, ef, sb, links, s0, tags, epoch, del, excl, bits, cand, res, pend, isDot,
 * maxVisits, candCap)`, all byte offsets into the graph's memory (see `walk.wat`): the number of
 * results left in the heap at `res`, −1 after more than `maxVisits` distances, −2 when the
 * candidate heap of `candCap` records filled up.
 */
export type Walk0 = (
  q: number, ep: number, ef: number, sb: number, links: number, s0: number, tags: number, epoch: number, del: number, excl: number, bits: number,
  cand: number, res: number, pend: number, isDot: number, maxVisits: number, candCap: number,
) => number;

let compiled: WasmModule | null | undefined;

/** The walk over `memory`, calling the distance module's `l2` / `dot` (`kernels`), or null without WebAssembly SIMD. */
export function walkFunction(memory: WasmMemory, kernels: { l2: unknown; dot: unknown }): Walk0 | null {
  if (compiled === undefined) compiled = compileKernelModule(walkModuleBytes());
  if (compiled === null) return null;
  const fns = new wasmApi!.Instance(compiled, { env: { memory }, k: { l2: kernels.l2, dot: kernels.dot } }).exports;
  return fns['search_layer0'] as Walk0;
}
