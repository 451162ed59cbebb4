// Run stop when the process is told to end (Ctrl-C, SIGTERM, SIGHUP from a closed terminal) before the test
// runner's own teardown can, then end the process as that signal would have. Returns how to remove the handlers
// (after a normal teardown).
export function teardownOnSignal(stop: () => Promise<void>): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handler = (signal: NodeJS.Signals) => {
    remove();
    stop()
      .catch((error: unknown) => process.stderr.write(`hotstandby: teardown after ${signal} failed: ${(error as Error).message}\n`))
      .finally(() => process.kill(process.pid, signal));
  };
  const remove = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return remove;
}
