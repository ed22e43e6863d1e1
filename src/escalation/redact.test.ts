import { describe, expect, it } from 'vitest';
import { REDACTED, combineRedactors, createRedactor, noRedaction, safeJson, truncate } from './redact.js';

describe('createRedactor', () => {
  it('replaces every occurrence of every secret', () => {
    const redact = createRedactor(['xoxb-123-secret', 'hunter22']);
    expect(redact('token xoxb-123-secret, again xoxb-123-secret, pw hunter22')).toBe(
      `token ${REDACTED}, again ${REDACTED}, pw ${REDACTED}`,
    );
  });

  it('ignores secrets shorter than four characters', () => {
    const redact = createRedactor(['abc', '', 'abcd']);
    expect(redact('abc abcd')).toBe(`abc ${REDACTED}`);
    expect(createRedactor(['ab', 'x'])).toBe(noRedaction);
  });

  it('redacts the longest secret first, so a secret containing another leaves nothing behind', () => {
    const redact = createRedactor(['pass', 'password-1234']);
    expect(redact('password-1234 and pass')).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it('treats regular-expression characters in secrets literally', () => {
    const redact = createRedactor(['a.b*c(d)']);
    expect(redact('a.b*c(d) axbbbc(d)')).toBe(`${REDACTED} axbbbc(d)`);
  });

  it('redacts the JSON-escaped and URL-encoded forms of a secret', () => {
    const secret = 'p"a\\ss w/rd';
    const redact = createRedactor([secret]);
    expect(redact(JSON.stringify({ password: secret }))).toBe(`{"password":"${REDACTED}"}`);
    expect(redact(`https://x.test/?t=${encodeURIComponent(secret)}`)).toBe(`https://x.test/?t=${REDACTED}`);
  });

  it('changes nothing without secrets', () => {
    expect(createRedactor([])('anything')).toBe('anything');
  });
});

describe('combineRedactors', () => {
  it('applies every redactor', () => {
    const redact = combineRedactors(createRedactor(['alpha-1']), noRedaction, createRedactor(['beta-22']));
    expect(redact('alpha-1 beta-22')).toBe(`${REDACTED} ${REDACTED}`);
  });
});

describe('truncate', () => {
  it('returns a string that fits unchanged', () => {
    expect(truncate('hello', 5)).toBe('hello');
  });

  it('cuts to at most max characters and says how many were cut', () => {
    const s = 'x'.repeat(100);
    const t = truncate(s, 30);
    expect(t.length).toBeLessThanOrEqual(30);
    const cut = Number(/… \((\d+) more chars\)$/.exec(t)?.[1]);
    expect(t.indexOf('…') + cut).toBe(100);
  });

  it('never splits a surrogate pair', () => {
    const t = truncate('😀'.repeat(50), 40);
    expect(t).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(t.length).toBeLessThanOrEqual(40);
  });

  it('hard-cuts when max is smaller than the marker', () => {
    expect(truncate('abcdefghij', 3)).toBe('abc');
  });
});

describe('safeJson', () => {
  it('pretty-prints JSON', () => {
    expect(safeJson({ a: 1 }, 100)).toBe('{\n  "a": 1\n}');
  });

  it('redacts before cutting, so no half secret survives the cut', () => {
    const secret = 'sk-live-0123456789abcdef';
    const json = safeJson({ filler: 'y'.repeat(10), key: secret }, 45, createRedactor([secret]));
    expect(json).not.toContain('sk-live');
    expect(json.length).toBeLessThanOrEqual(45);
  });

  it('describes values JSON cannot hold instead of throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    expect(safeJson(cyclic, 1000)).toContain('"self": "[Circular]"');
    expect(safeJson({ n: 10n }, 100)).toContain('"n": "10"');
    expect(safeJson(undefined, 100)).toBe('undefined');
    const shared = { x: 1 };
    expect(safeJson({ a: shared, b: shared }, 1000)).not.toContain('Circular');
  });
});
