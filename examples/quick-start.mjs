// Quick start: random vectors in, nearest neighbours out.
//   node examples/quick-start.mjs
import { HNSW } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support'; // the repository's seeded generator (not part of Vego)

const dimension = 64;
const index = new HNSW({ dimension }); // L2, M=16, efConstruction=200

// Any Float32Array or number[] of the right length; vectors are copied into the index.
// Seeded random numbers, so every run sees the same data.
const random = seededRandom(2463534242);
for (let i = 0; i < 2000; i++) {
  const v = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) v[d] = random();
  index.add(v); // returns the id: 0, 1, 2, …
}

const query = index.get(42); // a copy of vector 42
const hits = index.search(query, 5); // [{ id, distance }, …], closest first
console.log(`index holds ${index.size} vectors of dimension ${dimension}`);
console.log('5 nearest to vector 42:', hits.map((h) => `${h.id} (${h.distance.toFixed(3)})`).join(', '));
if (hits[0].id !== 42 || hits[0].distance !== 0) throw new Error('vector 42 should be its own nearest neighbour');
