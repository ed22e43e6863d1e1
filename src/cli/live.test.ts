import { describe, expect, it } from 'vitest';
import { LiveLine } from './live.js';

function output(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('LiveLine', () => {
  it('prints plain lines and nothing else when the output is not a terminal', () => {
    const { chunks, out } = output(false);
    const live = new LiveLine(out);
    live.update('running · attempting reviewer#1');
    live.print('line one');
    live.print('line two');
    live.stop();
    expect(chunks.join('')).toBe('line one\nline two\n');
    expect(live.live).toBe(false);
  });

  it('redraws a spinner line on a terminal, printing other lines above it and clearing it at the end', () => {
    const { chunks, out } = output(true);
    const live = new LiveLine(out);
    live.update('running · attempting reviewer#1');
    live.print('12:00:00.001  queued → routing  START');
    live.stop();
    const text = chunks.join('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the live line's terminal escapes are what is tested
    expect(text).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running · attempting reviewer#1 {2}\d+\.\ds/);
    expect(text).toContain('\r\x1b[K12:00:00.001  queued → routing  START\n');
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });
});
