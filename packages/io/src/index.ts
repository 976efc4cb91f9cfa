/**
 * @vego/io: files, Lance datasets and a table API on the file system.
 * @packageDocumentation
 */
export * from '@vego/format';
