import type { PgBinaries } from '../postgres/binaries.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import type { DoctorCheck } from './doctor.js';

// Windows' process exit codes for a program whose DLLs cannot be loaded: STATUS_DLL_NOT_FOUND (0xC0000135) and
// STATUS_ENTRYPOINT_NOT_FOUND (0xC0000139, an older runtime than the program was built against).
const MISSING_DLL_EXIT_CODES = new Set([0xc0000135, 0xc0000139]);

// The fix for a PostgreSQL program that cannot start on Windows for want of its runtime DLLs; undefined for any
// other exit code. PostgreSQL's Windows builds need the Microsoft Visual C++ 2015-2022 runtime.
export function missingRuntimeFix(exitCode: number | null): string | undefined {
  if (exitCode === null || !MISSING_DLL_EXIT_CODES.has(exitCode >>> 0)) return undefined;
  return 'install the Microsoft Visual C++ Redistributable for Visual Studio 2015-2022 (x64, vc_redist.x64.exe from Microsoft), then run hotstandby doctor again';
}

// What `doctor` adds on Windows: whether hotstandby holds an administrator token (fine: pg_ctl and initdb drop it,
// and postgres.exe refuses one when started directly), whether the binaries' runtime DLLs load, and what the
// firewall means for the nodes' ports.
export async function windowsChecks(
  binaries: PgBinaries,
  ports: readonly number[],
  add: (check: string, status: DoctorCheck['status'], detail: string, fix?: string) => void,
): Promise<void> {
  // `net session` succeeds only with an administrator token.
  const admin = await runProgramAllowFailure('net', ['session'], { purpose: 'net session' }).catch(() => undefined);
  add(
    'administrator',
    'ok',
    admin?.exitCode === 0
      ? 'hotstandby runs with an administrator token: fine, pg_ctl and initdb give it up before PostgreSQL starts (postgres.exe refuses one: never start it directly)'
      : 'hotstandby runs without an administrator token: fine, PostgreSQL needs none',
  );
  const initdb = await runProgramAllowFailure(binaries.path('initdb'), ['--version'], { purpose: 'initdb --version' });
  const fix = missingRuntimeFix(initdb.exitCode);
  if (fix) add('Visual C++ runtime', 'fix', `${binaries.path('initdb')} cannot start: a DLL it needs is missing (exit code 0x${(initdb.exitCode! >>> 0).toString(16)})`, fix);
  else add('Visual C++ runtime', 'ok', `the PostgreSQL programs in ${binaries.binDir} load their DLLs`);
  const rules = ports.map((port) => `netsh advfirewall firewall add rule name="PostgreSQL ${port}" dir=in action=allow protocol=TCP localport=${port}`);
  add(
    'firewall',
    'ok',
    `nodes on this machine talk over 127.0.0.1, which Windows Defender Firewall lets through; clients on other hosts need an inbound rule per port (as administrator): ${rules.join('; ')}`,
  );
}
