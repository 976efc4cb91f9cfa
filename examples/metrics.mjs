// The three distance metrics, and what `distance` means for each.
//   node examples/metrics.mjs
import { HNSW, L2Distance, CosineDistance, InnerProductDistance, InvalidArgumentError } from '@vego/hnsw';

const docs = [
  [1, 0, 0],
  [0.9, 0.1, 0],
  [0, 1, 0],
  [10, 0, 0], // same direction as doc 0, much longer
];
const query = [1, 0.05, 0];

for (const distance of [L2Distance, CosineDistance, InnerProductDistance]) {
  const index = new HNSW({ dimension: 3, distance });
  index.addBatch(docs);
  const hits = index.search(query, 4);
  console.log(`${distance.padEnd(12)} ${hits.map((h) => `${h.id}:${h.distance.toFixed(4)}`).join('  ')}`);
}
// l2: squared Euclidean. cosine: 1 − cos θ (vectors normalised once at insert, so doc 0 and doc 3
// are equally close). innerProduct: 1 − a·b, so the long vector 3 wins.

// Bad input is a typed error with a stable code, never a silent wrong answer.
const cosine = new HNSW({ dimension: 3, distance: CosineDistance });
try {
  cosine.add([0, 0, 0]);
} catch (e) {
  console.log(`zero vector under cosine -> ${e.name} [${e.code}]: ${e.message}`);
  if (!(e instanceof InvalidArgumentError)) throw e;
}
