import { describe, expect, it } from 'vitest';
import { restoreCommand } from '../../src/standby-settings.js';

describe('restoreCommand', () => {
  it('copies with cp on Linux', () => {
    expect(restoreCommand('/srv/wal archive', 'linux')).toBe("cp '/srv/wal archive'/%f %p");
  });

  it('copies with cmd.exe copy on Windows (which exits 1 for a segment the archive lacks)', () => {
    expect(restoreCommand('..\\..\\archive', 'win32')).toBe('copy /Y "..\\..\\archive\\%f" "%p" >NUL');
  });
});
