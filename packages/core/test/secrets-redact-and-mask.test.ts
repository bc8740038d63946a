import { describe, expect, it } from 'vitest';
import {
  looksLikeSecret,
  maskSecrets,
  redactDeep,
  redactText,
  redactUrls,
  registerSecret,
} from '../src/secrets.js';

describe('URLs in any text lose their credentials and query values', () => {
  it('userinfo and every query value, the rest kept', () => {
    expect(redactUrls('cannot reach http://user:KEY123@host:8000/v1?api_key=KEY456&x=1 (ECONNREFUSED)')).toBe(
      'cannot reach http://<redacted>@host:8000/v1?api_key=<redacted>&x=<redacted> (ECONNREFUSED)',
    );
    expect(redactUrls('"https://TOKEN@api.example.com/v1"')).toBe('"https://<redacted>@api.example.com/v1"');
    expect(redactUrls('http://h/v1?sk-bare-key')).toBe('http://h/v1?<redacted>');
    expect(redactUrls('http://127.0.0.1:8000/v1/models plain')).toBe('http://127.0.0.1:8000/v1/models plain');
  });

  it('inside JSON values, keys and arrays', () => {
    const doc = { plan: { endpoint: 'http://u:p4ssw0rd@h/v1' }, list: ['https://h/x?token=abc'], n: 3 };
    expect(redactDeep(doc)).toEqual({
      plan: { endpoint: 'http://<redacted>@h/v1' },
      list: ['https://h/x?token=<redacted>'],
      n: 3,
    });
  });
});

describe('registered secrets are masked wherever they appear', () => {
  it('raw, URL-encoded and base64, longest first; short values are not registered', () => {
    registerSecret('s3cr3t/key+value');
    registerSecret('ab');
    expect(maskSecrets('echo: s3cr3t/key+value and s3cr3t%2Fkey%2Bvalue')).toBe('echo: *** and ***');
    expect(maskSecrets(`b64 ${Buffer.from('s3cr3t/key+value').toString('base64')}`)).toBe('b64 ***');
    expect(maskSecrets('ab stays')).toBe('ab stays');
    expect(redactText('http://u:x@h/?k=v s3cr3t/key+value')).toBe('http://<redacted>@h/?k=<redacted> ***');
  });
});

describe('key-looking values (refused where a variable name belongs)', () => {
  it('keys', () => {
    for (const k of [
      'sk-proj-abc123DEF456',
      'sk_live_51H8abcdEFGH',
      'hf_AbCdEfGhIjKlMnOpQrStUv',
      'gsk_0123456789abcdef',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      'AKIAIOSFODNN7EXAMPLE',
      'A1b2C3d4E5f6G7h8I9j0K1l2',
      '0123456789abcdef0123456789abcdef01234567',
    ])
      expect(looksLikeSecret(k), k).toBe(true);
  });

  it('variable names', () => {
    for (const n of [
      'OPENAI_API_KEY',
      'MY_KEY',
      'TOGETHER_API_KEY',
      'key',
      'HF_TOKEN_2',
      'AZURE_OPENAI_API_KEY_WESTEUROPE_2',
    ])
      expect(looksLikeSecret(n), n).toBe(false);
  });
});
