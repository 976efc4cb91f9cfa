import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtFactory from 'wabt';
import { distanceModuleBytes } from '../src/internal/kernels';
import { sq8ModuleBytes } from '../src/internal/sq8';
import { walkModuleBytes } from '../src/internal/walk';

// The WebAssembly kernels are assembled by hand in TypeScript (no build step); their text form sits
// beside them as .wat. Assembling each .wat with wabt (the WebAssembly Binary Toolkit, a dev
// dependency) must give exactly the bytes the library builds, so the text is the truth.
const INTERNAL = join(__dirname, '../src/internal');

async function assemble(file: string): Promise<Uint8Array> {
  const wabt = await wabtFactory();
  const module = wabt.parseWat(file, readFileSync(join(INTERNAL, file), 'utf8'), { simd: true, threads: true });
  try {
    module.resolveNames();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

describe('WebAssembly kernel sources (.wat beside the bytes)', () => {
  it.each([
    ['kernels.wat', distanceModuleBytes],
    ['sq8.wat', sq8ModuleBytes],
    ['walk.wat', walkModuleBytes],
  ] as const)('%s assembles to exactly the module bytes the library builds', async (file, bytes) => {
    const built = bytes();
    const assembled = await assemble(file);
    expect(Buffer.from(assembled).toString('hex')).toBe(Buffer.from(built).toString('hex'));
    // (wabt's own validator rejects shared memories without a flag its JS build does not pass on;
    // the engine validates instead.)
    expect((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(assembled)).toBe(true);
  });

  it('would notice a change: one instruction changed in the text gives other bytes', async () => {
    const wabt = await wabtFactory();
    const text = readFileSync(join(INTERNAL, 'kernels.wat'), 'utf8').replace('(i32.const 32)', '(i32.const 16)');
    const module = wabt.parseWat('changed.wat', text, { simd: true, threads: true });
    const changed = module.toBinary({}).buffer;
    module.destroy();
    expect(Buffer.from(changed).equals(Buffer.from(distanceModuleBytes()))).toBe(false);
  });
});
