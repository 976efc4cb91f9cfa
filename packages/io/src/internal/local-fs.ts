/**
 * The few Node file-system, path and random calls that the dataset modules shared by local folders
 * and object stores make for local folders (`dataset-paths.ts`, `manifest-names.ts`,
 * `lance-adapter.ts`, `deletions.ts`). Kept in this one file so that the package.json `browser`
 * field can swap it for `../browser/local-fs.ts`: a browser bundle then reads datasets over an
 * object store (`Dataset.open('https://…')`) through those modules without Node built-ins.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** `fs.readFileSync` (whole file as bytes). */
export const readFileSync = (path: string): Buffer => fs.readFileSync(path);

/** `fs.readdirSync` (names of a folder's entries). */
export const readdirSync = (path: string): string[] => fs.readdirSync(path);

/** `fs.existsSync`. */
export const existsSync = (path: string): boolean => fs.existsSync(path);

/** `fs.realpathSync.native` (symlinks resolved). */
export const realpathNative = (path: string): string => fs.realpathSync.native(path);

/** Whether `path` is a symlink itself (`fs.lstatSync`; false when nothing is there). */
export const isSymlinkSync = (path: string): boolean => fs.lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;

/** `path.join` of the platform. */
export const joinLocal = (...segments: string[]): string => nodePath.join(...segments);

/** The platform's path separator. */
export const pathSep = (): string => nodePath.sep;

/** A uniformly random unsigned 64-bit integer from the system's secure generator. */
export const randomU64 = (): bigint => randomBytes(8).readBigUInt64LE(0);
