import path from 'node:path';

// Whether child lies strictly below parent (not parent itself). Plain path arithmetic: symlinks are not followed,
// and a name that merely starts with two dots (/data/..backup) is inside.
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
