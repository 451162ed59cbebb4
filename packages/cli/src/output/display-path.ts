import path from 'node:path';
import { isInside } from '@hotstandby/core';

// A path as the CLI prints it: "./rel" when it lies below the current directory (short, and plainly a path a shell
// reads the same), the absolute path otherwise.
export function displayPath(p: string, cwd: string): string {
  return isInside(p, cwd) ? `./${path.relative(cwd, p)}` : p;
}
