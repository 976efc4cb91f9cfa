/**
 * `vego inspect`: what is inside a Lance file, a Lance dataset, or a directory of datasets (such as
 * a saved HNSW index): schema, rows, pages, encodings, sizes and versions. Reads footers, column
 * metadata and manifests only, never the data pages.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Dataset,
  FileSource,
  InvalidArgumentError,
  LanceFileReader,
  NotFoundError,
  decodeManifest,
  lanceVersionName,
} from '@vego/db';
import type { ParsedArgs } from '../args';
import type { CommandIo } from '../command';

export const INSPECT_HELP = `vego inspect <file.lance | dataset-dir | index-dir>

Prints the schema, row count, pages, encodings and sizes of a Lance data file; the versions,
fragments and data files of a Lance dataset; or every dataset in a directory (a saved index).
`;

export const INSPECT_OPTIONS = {} as const;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Describes one Lance data file. */
export function inspectFile(path: string, io: CommandIo, indent = ''): void {
  const source = FileSource.openSync(path);
  try {
    const reader = LanceFileReader.openSync(source);
    io.out(`${indent}file ${path}\n`);
    io.out(`${indent}  format   Lance ${lanceVersionName(reader.version.major, reader.version.minor)} (${reader.version.major}.${reader.version.minor})\n`);
    io.out(`${indent}  rows     ${reader.numRows}\n`);
    io.out(`${indent}  size     ${bytes(source.byteLength)}\n`);
    io.out(`${indent}  columns\n`);
    for (const field of reader.schema.fields) {
      // Lists and structs span several physical columns (2.0: offsets/validity, then children; 2.1/2.2: one per leaf).
      const columns = reader.nodeColumns(field.name).filter((c) => c >= 0);
      let pages = 0;
      let pageBytes = 0;
      const encodings = new Set<string>();
      for (const c of columns) {
        const info = reader.columnSummarySync(c);
        pages += info.pages;
        pageBytes += info.bytes;
        for (const e of info.encodings) encodings.add(e);
      }
      io.out(`${indent}    ${field.name}: ${field.type.toString()}${field.nullable ? '' : ' not null'}\n`);
      io.out(`${indent}      ${columns.length} column(s), ${pages} page(s), ${bytes(pageBytes)}; ${[...encodings].join(' | ')}\n`);
    }
    for (const u of reader.unsupportedFields) io.out(`${indent}    ${u.name}: ${u.logicalType} (not readable by vego)\n`);
  } finally {
    source.close();
  }
}

/** Describes one Lance dataset directory. */
export function inspectDataset(dir: string, io: CommandIo, indent = ''): void {
  const ds = Dataset.openSync(dir);
  try {
    io.out(`${indent}dataset ${dir}\n`);
    io.out(`${indent}  version  ${ds.version} (${ds.manifestNaming} manifest naming)\n`);
    io.out(`${indent}  rows     ${ds.countRows()}\n`);
    io.out(`${indent}  schema\n`);
    for (const f of ds.schema.fields) io.out(`${indent}    ${f.name}: ${f.type.toString()}${f.nullable ? '' : ' not null'}\n`);
    for (const u of ds.unsupportedColumns) io.out(`${indent}    ${u.name}: ${u.logicalType} (not readable by vego)\n`);
    const versions = ds.versions();
    io.out(`${indent}  versions ${versions.map((v) => v.version).join(', ')}\n`);
    const current = versions.find((v) => v.version === ds.version);
    if (current) {
      const manifest = decodeManifest(readFileSync(join(dir, '_versions', current.manifestFile)));
      io.out(`${indent}  fragments ${manifest.fragments.length}\n`);
      for (const frag of manifest.fragments) {
        for (const file of frag.files) {
          const full = join(dir, 'data', file.path);
          const size = existsSync(full) ? statSync(full).size : 0;
          io.out(
            `${indent}    #${frag.id} data/${file.path}: ${frag.physicalRows} rows, ${bytes(size)}, Lance ${file.fileMajorVersion}.${file.fileMinorVersion}${frag.deletionFile ? ', has deletions' : ''}\n`,
          );
        }
      }
    }
  } finally {
    ds.closeSync();
  }
}

function isDataset(dir: string): boolean {
  return existsSync(join(dir, '_versions'));
}

/** Runs `vego inspect`. */
export async function inspect(args: ParsedArgs, io: CommandIo): Promise<void> {
  const path = args.positionals[0];
  if (path === undefined) throw new InvalidArgumentError('`path` is required: vego inspect <file.lance | dataset-dir | index-dir>');
  if (!existsSync(path)) throw new NotFoundError(`no such file or directory: ${path}`);
  if (statSync(path).isFile()) {
    inspectFile(path, io);
    return;
  }
  if (isDataset(path)) {
    inspectDataset(path, io);
    return;
  }
  const children = readdirSync(path)
    .filter((name) => statSync(join(path, name)).isDirectory() && isDataset(join(path, name)))
    .sort();
  if (children.length === 0) throw new InvalidArgumentError(`\`path\` ${path} is neither a Lance file, a Lance dataset nor a directory of datasets`);
  io.out(`directory ${path}: ${children.length} dataset(s)\n`);
  for (const name of children) inspectDataset(join(path, name), io, '  ');
}
