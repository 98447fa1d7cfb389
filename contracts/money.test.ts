import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMinor, toMinor } from './money.ts';

describe('money', () => {
  it('converts decimal strings exactly', () => {
    expect(toMinor('409.94', 'USD')).toBe(40994);
    expect(toMinor('0.10', 'USD')).toBe(10);
    expect(toMinor('1.1', 'USD')).toBe(110);
    expect(toMinor('-2.50', 'EUR')).toBe(-250);
    expect(toMinor('1500', 'JPY')).toBe(1500);
    expect(toMinor('1.234', 'KWD')).toBe(1234);
    expect(toMinor(2.55, 'GBP')).toBe(255);
    expect(toMinor(0.1 + 0.2, 'USD')).toBe(30);
  });

  it('rounds extra digits half away from zero', () => {
    expect(toMinor('2.555', 'USD')).toBe(256);
    expect(toMinor('2.554', 'USD')).toBe(255);
    expect(toMinor('-2.555', 'USD')).toBe(-256);
  });

  it('refuses what is not a plain decimal', () => {
    for (const bad of ['abc', '', '1e5', '1,50', '$3', '1.2.3', ' - 1'])
      expect(toMinor(bad, 'USD')).toBeUndefined();
    expect(toMinor(Number.NaN, 'USD')).toBeUndefined();
    expect(toMinor('99999999999999999999', 'USD')).toBeUndefined();
  });

  it('round-trips every amount through its text form', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
        (minor, cur) => {
          expect(toMinor(formatMinor(minor, cur), cur)).toBe(minor);
        },
      ),
    );
    expect(currencyExponent('jpy')).toBe(0);
    expect(formatMinor(5, 'USD')).toBe('0.05');
  });
});
