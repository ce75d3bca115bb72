import { neutralise } from './output';

describe('neutralise', () => {
  it('shows C0 (ESC, BEL, CR, ...), DEL and C1 as escapes, keeps newline, tab and other text', () => {
    expect(neutralise('a\u001b]0;t\u0007b\r\u007f\u009b\u0085\tc\nd é ✓')).toBe('a\\x1b]0;t\\x07b\\x0d\\x7f\\x9b\\x85\tc\nd é ✓');
  });
});
