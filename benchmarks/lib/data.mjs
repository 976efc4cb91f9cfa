// Data shared by the benchmark suites: where SIFT-9k is, and the seeded generator and TEXMEX reader
// of @vego/test-support, so every suite draws the same numbers the same way.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SIFT-9k folder in ../shared beside the checkout. */
export const SIFT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'datasets', 'sift-9k');

// The one seeded generator (mulberry32), its normal draw and the one TEXMEX reader live in the
// private workspace package @vego/test-support, shared with the tests and examples.
export { gaussian, readVecs, seededRandom } from '@vego/test-support';
