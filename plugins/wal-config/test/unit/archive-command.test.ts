import { describe, expect, it } from 'vitest';
import { archiveCommand } from '../../src/desired-settings.js';

describe('archiveCommand', () => {
  it('copies with cp and refuses to overwrite an archived segment on Linux', () => {
    expect(archiveCommand('/srv/wal archive', 'linux')).toBe("test ! -f '/srv/wal archive'/%f && cp %p '/srv/wal archive'/%f");
  });

  it('copies with cmd.exe copy on Windows, failing (exit 1) instead of overwriting, with % doubled for the server', () => {
    expect(archiveCommand('C:\\wal 100%', 'win32')).toBe('if exist "C:\\wal 100%%\\%f" (exit 1) else copy /Y "%p" "C:\\wal 100%%\\%f" >NUL');
  });
});
