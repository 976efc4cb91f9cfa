/**
 * The parts of a Lance manifest the dataset layer works with, and the conversion to and from
 * @vego/format's manifest codec. This is the only file that knows the codec's object shape.
 */
import type { DeletionFile } from '@vego/format';

export interface DataFileInfo {
  /** Relative to the dataset's `data/` directory. */
  path: string;
  fieldIds: number[];
  columnIndices: number[];
  fileMajorVersion: number;
  fileMinorVersion: number;
  /** 0 when the writer did not record it. */
  fileSizeBytes: number;
}

/** The id of a fragment written for a commit in progress: the manifest encoder assigns the real one. */
export const NEW_FRAGMENT_ID = -1;

export interface FragmentInfo {
  /** The fragment's id, or {@link NEW_FRAGMENT_ID} before its commit. */
  id: number;
  files: DataFileInfo[];
  physicalRows: number;
  /** The fragment's deletion file (rows deleted), if any. */
  deletionFile?: DeletionFile;
}
