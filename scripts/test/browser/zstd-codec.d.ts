// zstd-codec ships no types; the browser page only hands the module to initZstd().
declare module 'zstd-codec';
