import { parseSize } from './size';

describe('parseSize', () => {
  it.each([
    ['1000000', 1_000_000],
    ['512MiB', 512 * 2 ** 20],
    ['1GiB', 2 ** 30],
    ['64M', 64 * 2 ** 20],
    ['4k', 4096],
    ['10MB', 10_000_000],
    ['1.5GiB', 1.5 * 2 ** 30],
    [' 2 gib ', 2 * 2 ** 30],
    ['0', 0],
  ])('%s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'MiB', '-1', '12XB', '1.5', '0x10', '5constructor'])('rejects "%s"', (text) => {
    expect(() => parseSize(text)).toThrow(`invalid size "${text}"`);
  });
});
