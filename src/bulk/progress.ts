/** How far a long operation has got. `total` is known once the operation has counted its work. */
export interface Progress {
  operation: string;
  done: number;
  total?: number;
}

export type ProgressListener = (progress: Progress) => void;

/**
 * Calls the listener at most every `intervalMs` (and always for the first and last step of each operation, so
 * that an operation following another is seen to start), so reports stay cheap.
 */
export function throttled(listener: ProgressListener, intervalMs = 200): ProgressListener {
  let last = 0;
  let operation: string | undefined;
  return (progress) => {
    const now = Date.now();
    if (now - last < intervalMs && progress.done !== progress.total && progress.operation === operation) return;
    last = now;
    operation = progress.operation;
    listener(progress);
  };
}
