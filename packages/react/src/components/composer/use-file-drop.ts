import { type ClipboardEvent, type DragEvent, useRef, useState } from 'react';

/** What `useFileDrop` gives the composer: whether files hover over it, and the handlers for its root and its text box. */
export interface FileDrop {
  dragging: boolean;
  dropHandlers: {
    onDragEnter: (event: DragEvent) => void;
    onDragOver: (event: DragEvent) => void;
    onDragLeave: (event: DragEvent) => void;
    onDrop: (event: DragEvent) => void;
  };
  onPaste: (event: ClipboardEvent) => void;
}

const carriesFiles = (event: DragEvent) => [...event.dataTransfer.types].includes('Files');

/** Files dropped on the composer, or pasted into it (a screenshot), go to `onFiles`; text is left to the text box. */
export function useFileDrop(onFiles: (files: File[]) => void, enabled = true): FileDrop {
  const [dragging, setDragging] = useState(false);
  // dragenter and dragleave fire for every child crossed: count them, and the drag has left when the count is back to 0.
  const depth = useRef(0);
  const over = (event: DragEvent) => {
    if (!enabled || !carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  return {
    dragging,
    dropHandlers: {
      onDragEnter: (event) => {
        if (!enabled || !carriesFiles(event)) return;
        depth.current++;
        setDragging(true);
      },
      onDragOver: over,
      onDragLeave: () => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop: (event) => {
        depth.current = 0;
        setDragging(false);
        if (!enabled || event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        onFiles([...event.dataTransfer.files]);
      },
    },
    onPaste: (event) => {
      const files = [...event.clipboardData.files];
      if (!enabled || files.length === 0) return;
      onFiles(files);
      // A copied image often comes with its text (a name, a link): the text box keeps that, unless there is none.
      if (!event.clipboardData.types.includes('text/plain')) event.preventDefault();
    },
  };
}
