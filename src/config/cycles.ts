/**
 * Cycle finding for the config checks that forbid cycles: fallback chains, the `needs` of a
 * run's steps, and workflows that run one another as steps.
 * @internal
 */

/**
 * Walks a directed graph depth-first from each node in turn (in the given order) and calls
 * `onCycle` for every edge that closes a cycle, once: with the cycle from the node the edge
 * returns to, round to it again (`[a, b, c, a]`), the node the edge leaves and its index among
 * that node's edges. A node's edge to itself is the cycle `[a, a]`.
 *
 * @example
 * forEachCycle(['a', 'b'], (n) => (n === 'a' ? ['b'] : ['a']), (cycle) => console.log(cycle.join(' → ')));
 * // a → b → a
 */
export function forEachCycle<N>(
  nodes: Iterable<N>,
  edges: (node: N) => readonly N[],
  onCycle: (cycle: N[], from: N, edgeIndex: number) => void,
): void {
  const state = new Map<N, 'visiting' | 'done'>();
  const stack: N[] = [];
  const visit = (node: N): void => {
    state.set(node, 'visiting');
    stack.push(node);
    edges(node).forEach((next, i) => {
      if (state.get(next) === 'visiting') onCycle([...stack.slice(stack.indexOf(next)), next], node, i);
      else if (!state.has(next)) visit(next);
    });
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of nodes) if (!state.has(node)) visit(node);
}
