/**
 * Clustering linked pairs into persons without chaining. Plain transitive closure lets one
 * record that resembles two people (a nickname, a shared household phone) fuse them. Here links
 * are applied strongest first, and two clusters merge only when the pairs across them, all of
 * them and not only the linking edge, average a match weight at or above the review threshold:
 * a bridging record must agree with the members, not just with its best single match. Twins
 * and parent/child with one name stay apart because their given names or birth dates disagree
 * with every member of the other cluster.
 */

export interface ScoredEdge {
  i: number;
  j: number;
  weight: number;
}

export interface ClusterOptions {
  /** Match weight an edge needs to propose a merge (the link threshold). */
  linkWeight: number;
  /** Mean match weight the cross-cluster pairs need for the merge to happen. */
  mergeWeight: number;
  /** Largest number of cross pairs checked; beyond it an evenly spread subset is checked. */
  maxChecks: number;
}

export interface ClusterResult {
  /** Cluster id (its smallest record index) per record. */
  clusterOf: Int32Array;
  /** Link edges refused because the clusters did not agree as a whole. */
  refused: ScoredEdge[];
}

export function clusterRecords(
  n: number,
  edges: readonly ScoredEdge[],
  weightOf: (i: number, j: number) => number,
  options: ClusterOptions,
): ClusterResult {
  const parent = new Int32Array(n).map((_, i) => i);
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const refused: ScoredEdge[] = [];
  // Strongest first; ties broken by index so the result does not depend on input order. (With
  // no merge check the result is the transitive closure, the same in any order: no sort.)
  const checked = options.mergeWeight > Number.NEGATIVE_INFINITY;
  const linking = edges.filter((e) => e.weight >= options.linkWeight);
  const sorted = checked ? linking.sort((x, y) => y.weight - x.weight || x.i - y.i || x.j - y.j) : linking;
  for (const edge of sorted) {
    const a = find(edge.i);
    const b = find(edge.j);
    if (a === b) continue;
    const ma = members[a] as number[];
    const mb = members[b] as number[];
    if (checked && (ma.length > 1 || mb.length > 1)) {
      const total = ma.length * mb.length;
      const step = Math.max(1, Math.ceil(total / options.maxChecks));
      let sum = 0;
      let count = 0;
      for (let k = 0; k < total; k += step) {
        sum += weightOf(ma[Math.floor(k / mb.length)] as number, mb[k % mb.length] as number);
        count++;
      }
      if (sum / count < options.mergeWeight) {
        refused.push(edge);
        continue;
      }
    }
    const [keep, drop] = a < b ? [a, b] : [b, a];
    parent[drop] = keep;
    (members[keep] as number[]).push(...(members[drop] as number[]));
    members[drop] = [];
  }
  const clusterOf = new Int32Array(n);
  for (let i = 0; i < n; i++) clusterOf[i] = find(i);
  return { clusterOf, refused };
}

