/**
 * The host's plan of one batch's token lookup: which distinct ids the batch holds and where each one
 * occurs. The host built the batch, so it knows the ids without a device read; the device then needs
 * no sort, no atomics and no search to sum an embedding gradient per id (`row-segment-sum.ts`).
 *
 *   ids      [N]      the batch's token ids, flat (row b·T + t is token t of sequence b)
 *   unique   [U]      the distinct ids, ascending
 *   inverse  [N]      ids[i] = unique[inverse[i]]
 *   order    [N]      positions grouped by distinct id, ascending inside each group
 *   offsets  [U + 1]  id unique[u] occurs at positions order[offsets[u] .. offsets[u+1] − 1]
 */
export interface TokenPlan {
  ids: Int32Array;
  unique: Int32Array;
  inverse: Int32Array;
  order: Int32Array;
  offsets: Int32Array;
}

/** The plan of `ids` (any non-negative integers); O(N log U). */
export function planTokens(ids: Int32Array): TokenPlan {
  const unique = Int32Array.from(new Set(ids)).sort();
  const slot = new Map<number, number>();
  unique.forEach((id, u) => slot.set(id, u));
  const inverse = Int32Array.from(ids, (id) => slot.get(id)!);
  const offsets = new Int32Array(unique.length + 1);
  for (const u of inverse) offsets[u + 1]!++;
  for (let u = 0; u < unique.length; u++) offsets[u + 1]! += offsets[u]!;
  // A counting sort: positions go to their group in ascending order, so each group's sum runs in the
  // order a sequential scatter would add them.
  const next = offsets.slice(0, unique.length);
  const order = new Int32Array(ids.length);
  inverse.forEach((u, position) => (order[next[u]!++] = position));
  return { ids, unique, inverse, order, offsets };
}
