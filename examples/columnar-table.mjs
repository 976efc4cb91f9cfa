// Columnar files in an app with no vectors: only @vego/io. A table of mixed columns with nulls,
// written as a Lance dataset, appended to, read back with projection, opened at an old version,
// then maintained the way a long-running app would: async appends (file I/O on the thread pool),
// a delete, a compaction that folds the small fragments and the deleted rows into one fragment,
// and a cleanup of versions nobody needs any more.
//   node examples/columnar-table.mjs [dir]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '@vego/io';

const dir = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'vego-table-')), 'orders');

const ds = Dataset.createSync(dir, [
  { order: 1n, customer: 'ada', total: 12.5, paid: true, note: null },
  { order: 2n, customer: 'alan', total: 99.0, paid: false, note: 'gift wrap' },
  { order: 3n, customer: 'grace', total: null, paid: true, note: null },
]);
console.log(`created ${dir} at version ${ds.version}: ${ds.countRows()} rows`);
console.log(`schema: ${ds.schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}`);

const v2 = ds.appendSync([{ order: 4n, customer: 'edsger', total: 7.25, paid: true, note: 'rush' }]);
console.log(`appended: version ${v2.version}, ${v2.countRows()} rows (version 1 untouched)`);

// Projection: only the bytes of the columns asked for are read.
const latest = Dataset.openSync(dir);
for (const batch of latest.scanSync({ columns: ['customer', 'total'] })) {
  const customer = batch.column('customer');
  const total = batch.column('total');
  for (let i = 0; i < batch.numRows; i++) console.log(`  ${customer.get(i)}: ${total.get(i) ?? '(no total)'}`);
}
const picked = latest.takeSync([3, 1], { columns: ['order', 'note'] });
console.log(`take [3, 1]: orders ${picked.column('order').get(0)}, ${picked.column('order').get(1)}; notes '${picked.column('note').get(0)}', '${picked.column('note').get(1)}'`);

const old = Dataset.openSync(dir, { version: 1 });
console.log(`time travel: version 1 has ${old.countRows()} rows; versions on disk: ${latest.versions().map((v) => v.version).join(', ')}`);
for (const d of [ds, v2, latest, old]) d.closeSync();

// Maintenance. Each async write fsyncs its files and publishes its manifest without blocking the
// event loop; each is a new version, so a reader holding an older one is never disturbed.
// Each write returns the dataset at its new version: close the one it replaces (its readers hold open files).
let table = await Dataset.open(dir);
const replace = async (next) => {
  await table.close();
  table = next;
};
for (let k = 5; k <= 8; k++) await replace(await table.append([{ order: BigInt(k), customer: `c${k}`, total: k, paid: k % 2 === 0, note: null }]));
await replace(await table.delete((row) => row.paid === false, { columns: ['paid'] }));
console.log(`after 4 async appends and a delete: version ${table.version}, ${table.countRows()} rows in ${table.fragmentFiles().length} fragments`);
const { dataset: compacted, fragmentsRemoved, fragmentsAdded, deletedRowsRemoved } = await table.compact();
console.log(`compacted: ${fragmentsRemoved} fragments into ${fragmentsAdded}, ${deletedRowsRemoved} deleted rows dropped; version ${compacted.version}, ${compacted.countRows()} rows`);
// olderThan: 0 removes old versions at once (the default keeps those younger than 7 days for their readers).
const { removedVersions, removedDataFiles } = compacted.cleanupOldVersions({ keep: 1, olderThan: 0 });
console.log(`cleanup: removed ${removedVersions.length} old versions and ${removedDataFiles.length} files; ${compacted.countRows()} rows remain`);
await Promise.all([table.close(), compacted.close()]);
if (process.argv[2] === undefined) rmSync(join(dir, '..'), { recursive: true, force: true });
