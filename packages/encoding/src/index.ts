/**
 * @vego/encoding: columnar codecs over @vego/arrow arrays.
 * @packageDocumentation
 */
export * from '@vego/arrow';
