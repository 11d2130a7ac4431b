import { describe, expect, it } from 'vitest';
import { TEXT_INDEX, TYPE_ORDER, classifyNumber, classifyString, ownType } from './classify.js';

const own = (s: string) => TYPE_ORDER[ownType(classifyString(s))];

describe('classifyString', () => {
  it.each([
    ['true', 'boolean'],
    ['FALSE', 'boolean'],
    ['yes', 'text'],
    ['2024-02-29', 'date'],
    ['2023-02-29', 'text'],
    ['2024-13-01', 'text'],
    ['2024-04-31', 'text'],
    ['2024-01-05T10:20:30Z', 'datetime'],
    ['2024-01-05 10:20', 'datetime'],
    ['2024-01-05T10:20:30.123456+05:30', 'datetime'],
    ['2024-01-05T10:20:30-0800', 'datetime'],
    ['2024-01-05T24:00:00Z', 'text'],
    ['2024-01-05T10:20:30X', 'text'],
    ['+14155550123', 'phone_e164'],
    ['+1415555', 'text'],
    ['+0415555012', 'text'],
    ['+1415555012345678', 'text'],
    ['42', 'integer'],
    ['-7', 'integer'],
    ['0', 'integer'],
    ['02134', 'text'],
    ['123456789012345678', 'integer'],
    ['1234567890123456789', 'real'],
    ['3.14', 'real'],
    ['-0.5', 'real'],
    ['.5', 'real'],
    ['1e-7', 'real'],
    ['1.', 'real'],
    ['-', 'text'],
    ['1,000', 'text'],
    ['NaN', 'text'],
    ['', 'text'],
  ])('%j is %s', (value, type) => {
    expect(own(value)).toBe(type);
  });

  it('makes dates count as datetimes and integers as reals', () => {
    expect(classifyString('2024-01-01') & classifyString('2024-01-01T00:00Z')).toBe(classifyString('2024-01-01T00:00Z'));
    expect(classifyString('12') & classifyString('1.5')).toBe(classifyString('1.5'));
  });
});

describe('classifyNumber', () => {
  it('splits JSON numbers into integers and reals', () => {
    expect(TYPE_ORDER[ownType(classifyNumber(7))]).toBe('integer');
    expect(TYPE_ORDER[ownType(classifyNumber(7.5))]).toBe('real');
    expect(TYPE_ORDER[ownType(classifyNumber(2 ** 60))]).toBe('real');
    expect(ownType(classifyNumber(Infinity))).toBe(TEXT_INDEX);
  });
});
