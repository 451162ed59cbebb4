import { describe, expect, it } from 'vitest';
import { userCwd } from '../../src/user-cwd.js';

describe('userCwd', () => {
  it('uses INIT_CWD when run as `pnpm hotstandby ...`', () => {
    expect(userCwd({ npm_lifecycle_event: 'hotstandby', INIT_CWD: '/home/me/project' })).toBe('/home/me/project');
  });

  it('uses the process cwd when not run through the hotstandby script', () => {
    expect(userCwd({})).toBe(process.cwd());
    expect(userCwd({ INIT_CWD: '/home/me/project' })).toBe(process.cwd());
    expect(userCwd({ npm_lifecycle_event: 'test', INIT_CWD: '/home/me/project' })).toBe(process.cwd());
  });

  it('uses the process cwd when INIT_CWD is missing or empty', () => {
    expect(userCwd({ npm_lifecycle_event: 'hotstandby' })).toBe(process.cwd());
    expect(userCwd({ npm_lifecycle_event: 'hotstandby', INIT_CWD: '' })).toBe(process.cwd());
  });
});
