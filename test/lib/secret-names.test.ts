/**
 * How a name reads as a secret's is remembered per name (names repeat across services and environments): the answer
 * must not depend on what was asked before, on the memory being full and cleared, or on the name's length.
 * Seeded and bounded.
 */
import fc from 'fast-check';
import { secretNameKind } from '../../lib/secret-rules';

describe('secret names, remembered', () => {
  test('known names keep their kind when asked again, after the memory is full, and when long', () => {
    const cases: [string, ReturnType<typeof secretNameKind>][] = [['DB_PASSWORD', 'strong'], ['apiKey', 'strong'], ['STRIPE_KEY', 'weak'], ['LOG_LEVEL', undefined], ['DB_PASSWORD_FILE', undefined]];
    for (const [name, kind] of cases) expect(secretNameKind(name)).toBe(kind);
    for (let i = 0; i < 10050; i++) secretNameKind(`VAR_${i}`);
    for (const [name, kind] of cases) expect(secretNameKind(name)).toBe(kind);
    const long = `${'A_'.repeat(100)}PASSWORD`;
    expect(secretNameKind(long)).toBe('strong');
    expect(secretNameKind(long)).toBe('strong');
  });

  test('property: the kind of a name is the same whatever was asked before', () => {
    const name = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}(PASSWORD|TOKEN|KEY|_ID|NAME|SECRET)?$/));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 30 }), (names) => {
        const first = names.map((n) => secretNameKind(n));
        const again = [...names].reverse().map((n) => secretNameKind(n)).reverse();
        expect(again).toEqual(first);
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });
});
