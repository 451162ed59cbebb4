// The directory the user typed the command in. `pnpm hotstandby ...` runs the script from the repository root
// but records the user's directory in INIT_CWD; paths on the command line and config discovery use it.
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_lifecycle_event === 'hotstandby' && env.INIT_CWD) return env.INIT_CWD;
  return process.cwd();
}
