/**
 * The benchmark's slow agent: never answers (until the engine gives up on the call). Every call
 * shares one pending promise, so the heap it adds per task is Warden's, not the agent's.
 */
const never = new Promise(() => {});
export let calls = 0;
export default function hold() {
  calls++;
  return never;
}
