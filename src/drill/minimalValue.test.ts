import { describe, expect, it } from 'vitest';
import { minimalValue } from './minimalValue.js';

describe('minimalValue', () => {
  it.each([
    [
      'a required string',
      { type: 'object', required: ['content'], properties: { content: { type: 'string' }, path: { type: 'string' } } },
      { content: 'drill' },
    ],
    ['an enum', { type: 'string', enum: ['staging', 'production'] }, 'staging'],
    ['a const', { const: 42 }, 42],
    ['a default', { type: 'string', default: 'main' }, 'main'],
    ['a minLength', { type: 'string', minLength: 8 }, 'drill-drill'],
    ['a maxLength', { type: 'string', maxLength: 3 }, 'dri'],
    ['a format', { type: 'string', format: 'email' }, 'drill@example.com'],
    ['a minimum', { type: 'integer', minimum: 3 }, 3],
    ['an exclusive minimum', { type: 'integer', exclusiveMinimum: 3 }, 4],
    ['minItems', { type: 'array', minItems: 2, items: { type: 'boolean' } }, [false, false]],
    ['a nullable type', { type: ['null', 'number'] }, 0],
    ['oneOf', { oneOf: [{ type: 'object', required: ['a'] }, { type: 'string' }] }, { a: 'drill' }],
    [
      'allOf',
      {
        allOf: [
          { type: 'object', required: ['a'] },
          { required: ['b'], properties: { b: { type: 'number' } } },
        ],
      },
      { a: 'drill', b: 0 },
    ],
    ['nothing', undefined, 'drill'],
  ])('satisfies %s', (_, schema, expected) => {
    expect(minimalValue(schema)).toEqual(expected);
  });
});
