import { describe, expect, it } from 'vitest';
import { missingRuntimeFix } from '../../src/cluster/doctor-windows.js';

describe('a Windows program that cannot load its DLLs', () => {
  it('is told apart by its exit code, as Node reports it (unsigned) or as a signed 32-bit value', () => {
    expect(missingRuntimeFix(0xc0000135)).toMatch(/Visual C\+\+ Redistributable/);
    expect(missingRuntimeFix(0xc0000139)).toMatch(/vc_redist\.x64\.exe/);
    expect(missingRuntimeFix(0xc0000135 | 0)).toMatch(/Visual C\+\+/);
  });

  it('gets no runtime fix for an ordinary failure or a clean exit', () => {
    expect(missingRuntimeFix(0)).toBeUndefined();
    expect(missingRuntimeFix(1)).toBeUndefined();
    expect(missingRuntimeFix(null)).toBeUndefined();
  });
});
