// Placeholder demo until the index lands: proves the built packages load from ESM.
import { VegoError, ErrorCode } from '@vego/hnsw';
const e = new VegoError(ErrorCode.INVALID_ARGUMENT, 'demo');
console.log(`vego demo: packages built and loadable (error code example: ${e.code})`);
