/**
 * Reads a response body as text, keeping at most `capBytes` bytes; the rest is not downloaded.
 * `truncated` tells whether the body was longer.
 *
 * @internal
 */
export async function readCapped(res: Response, capBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (res.body === null) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > capBytes) {
        chunks.push(value.subarray(0, capBytes - size));
        size = capBytes;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  // a multi-byte character cut at the cap decodes as U+FFFD rather than throwing
  return { text: new TextDecoder().decode(Buffer.concat(chunks, size)), truncated };
}
