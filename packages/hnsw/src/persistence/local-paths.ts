/**
 * The Node path and file-system calls that the load path makes for a saved index in a local folder
 * (`directory.ts`, `open.ts`). Kept in this one file so that the package.json `browser` field can
 * swap it for `../browser/local-paths.ts`: a browser bundle then loads an index served over
 * HTTP(S) through the same modules, without Node built-ins.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** `path.resolve` of the platform (an absolute folder). */
export const resolveLocal = (dir: string): string => nodePath.resolve(dir);

/** `path.join` of the platform. */
export const joinLocal = (...segments: string[]): string => nodePath.join(...segments);

/** `fs.existsSync`. */
export const existsLocal = (path: string): boolean => fs.existsSync(path);
