/**
 * @vego/format: the Lance v2 file format, bytes in and bytes out.
 * @packageDocumentation
 */
export * from '@vego/encoding';
