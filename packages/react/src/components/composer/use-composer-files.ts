import { LIMITS } from '@chatsdk/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';

/** A file picked, dropped or pasted into the composer, not sent yet. */
export interface StagedFile {
  id: string;
  file: File;
  /** An object URL of an image, for its thumbnail in the composer. */
  previewUrl?: string;
}

/** The composer's files: added from a picker, a drop or a paste (up to the attachments a message may hold), removed, taken to send. */
export interface ComposerFilesState {
  files: readonly StagedFile[];
  /** How many files were left out for being past the limit, in the last add. */
  refused: number;
  add(files: Iterable<File>): void;
  remove(id: string): void;
  /** The files to send, emptying the composer. */
  take(): File[];
}

let counter = 0;

function revoke(files: readonly StagedFile[]): void {
  for (const file of files) if (file.previewUrl) URL.revokeObjectURL(file.previewUrl);
}

/** The files of a composer, with thumbnails of the images; their object URLs are let go when they leave or the composer unmounts. */
export function useComposerFiles(limit: number = LIMITS.attachmentsPerMessage): ComposerFilesState {
  const [state, setState] = useState<{ files: StagedFile[]; refused: number }>({ files: [], refused: 0 });
  const current = useRef(state.files);
  current.current = state.files;
  useEffect(() => () => revoke(current.current), []);

  // The list is worked out from the ref, outside setState: its updaters must stay free of side effects (object URLs).
  const set = (files: StagedFile[], refused: number) => {
    current.current = files;
    setState({ files, refused });
  };
  const add = useCallback(
    (incoming: Iterable<File>) => {
      const fresh = [...incoming];
      const kept = fresh.slice(0, Math.max(0, limit - current.current.length)).map((file): StagedFile => {
        const preview = file.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : undefined;
        return { id: `staged-${++counter}`, file, ...(preview ? { previewUrl: preview } : {}) };
      });
      set([...current.current, ...kept], fresh.length - kept.length);
    },
    [limit],
  );
  const remove = useCallback((id: string) => {
    revoke(current.current.filter((file) => file.id === id));
    set(current.current.filter((file) => file.id !== id), 0);
  }, []);
  const take = useCallback(() => {
    const taken = current.current;
    revoke(taken);
    set([], 0);
    return taken.map((staged) => staged.file);
  }, []);
  return { files: state.files, refused: state.refused, add, remove, take };
}
