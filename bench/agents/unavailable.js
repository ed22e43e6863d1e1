/** The benchmark's down agent: every call fails like an HTTP 503, so tasks park on a retry timer. */
export let calls = 0;
export default async function unavailable() {
  calls++;
  throw Object.assign(new Error('service unavailable'), { status: 503 });
}
