import type { GraphStore } from '../../src/graph/store.js';

/**
 * The real store, with an operator's DELETE of the SoR landing just before the request's write `method` (the
 * moment a deletion during a burst of pushes hits some request).
 */
export function deletingTheSorBefore<M extends 'recordPushEvent' | 'applyScimChange'>(store: GraphStore, sorId: string, method: M): GraphStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== method) return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<GraphStore[M]>) => {
        await target.deleteSystemOfRecord(sorId);
        return (target[method] as (...a: Parameters<GraphStore[M]>) => ReturnType<GraphStore[M]>).apply(target, args);
      };
    },
  });
}
