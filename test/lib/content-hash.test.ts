/**
 * The configuration hash on pod templates (`contentHash`) uses Node's one-shot `crypto.hash` where there is one (for
 * speed): it must stay the first 16 hex digits of the SHA-256 of the text's UTF-8, as a Hash object computes it, for
 * any text (non-ASCII and lone surrogates included). Seeded and bounded.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import { contentHash } from '../../lib/workloads';

function reference(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

describe('contentHash', () => {
  test('known texts', () => {
    expect(contentHash('')).toBe('e3b0c44298fc1c14');
    expect(contentHash('{"LOG_LEVEL":"info"}')).toBe(reference('{"LOG_LEVEL":"info"}'));
    expect(contentHash('é ✓ \ud800')).toBe(reference('é ✓ \ud800'));
  });

  test('property: the first 16 hex digits of the SHA-256 of the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        expect(contentHash(text)).toBe(reference(text));
      }),
      { seed: 20261206, numRuns: 100 },
    );
  });
});
