import { describe, expect, it } from 'vitest';
import { writeAttemptsIn } from '../../src/app/write-attempts.js';

describe('writeAttemptsIn', () => {
  it('finds each refused write with the statement after it, whatever the line prefix, joining continued lines', () => {
    const log = [
      '2026-12-05 15:00:00.000 UTC [41] LOG:  database system is ready to accept read-only connections',
      '2026-12-05 15:00:01.000 UTC [42] ERROR:  cannot execute INSERT in a read-only transaction',
      '2026-12-05 15:00:01.000 UTC [42] STATEMENT:  INSERT INTO orders VALUES ($1)',
      'ERROR:  cannot execute UPDATE in a read-only transaction',
      'STATEMENT:  UPDATE orders',
      '\tSET paid = true',
      'ERROR:  relation "nope" does not exist',
      'STATEMENT:  SELECT * FROM nope',
      'ERROR:  cannot execute nextval() in a read-only transaction',
    ].join('\n');
    expect(writeAttemptsIn(log)).toEqual([
      { error: 'cannot execute INSERT in a read-only transaction', statement: 'INSERT INTO orders VALUES ($1)' },
      { error: 'cannot execute UPDATE in a read-only transaction', statement: 'UPDATE orders SET paid = true' },
      { error: 'cannot execute nextval() in a read-only transaction' },
    ]);
  });

  it('finds nothing in a log without refused writes', () => {
    expect(writeAttemptsIn('LOG:  checkpoint starting: time\nERROR:  canceling statement due to user request\n')).toEqual([]);
  });
});
