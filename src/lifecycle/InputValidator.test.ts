import { describe, expect, it } from 'vitest';
import { workflowSchema } from '../config/workflowSchema.js';
import { InputValidator } from './InputValidator.js';

const contact = workflowSchema.parse({
  name: 'contact',
  agent: 'mailer',
  inputSchema: {
    type: 'object',
    required: ['email'],
    properties: { email: { type: 'string', format: 'email' }, note: { type: 'string', format: 'textarea' } },
  },
  outputSchema: { type: 'object', required: ['link'], properties: { link: { type: 'string', format: 'uri' } } },
});
const validator = new InputValidator(new Map([['contact', contact]]));

describe('InputValidator', () => {
  it('rejects input whose field breaks its format, naming the field', () => {
    expect(validator.validate('contact', { email: 'not an address' })).toEqual([
      { path: 'input.email', message: 'must match format "email"' },
    ]);
  });

  it('accepts input whose fields match their formats', () => {
    expect(validator.validate('contact', { email: 'oncall@example.com' })).toBeUndefined();
  });

  it('ignores a format it does not know, as form builders use them', () => {
    expect(validator.validate('contact', { email: 'a@example.com', note: 'any text at all' })).toBeUndefined();
  });

  it('holds agent output to the formats of the outputSchema', () => {
    expect(validator.validateOutput('contact', { link: 'no link here' })).toEqual([
      { path: 'output.link', message: 'must match format "uri"' },
    ]);
    expect(validator.validateOutput('contact', { link: 'https://example.com/x' })).toBeUndefined();
  });
});
