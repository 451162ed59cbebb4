import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';
import type { Project } from './project.js';

// Make @hotstandby/core importable from the project's own plugin files, as `npm install hotstandby` would.
export async function linkHotstandbyCore(project: Project): Promise<void> {
  await mkdir(project.path('node_modules', '@hotstandby'), { recursive: true, mode: 0o755 });
  await symlink(path.join(REPO_ROOT, 'packages', 'core'), project.path('node_modules', '@hotstandby', 'core'));
}

// Write a plugin (or any) file into the project, creating its directory.
export async function writeProjectFile(project: Project, relativePath: string, content: string): Promise<string> {
  const file = project.path(relativePath);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await writeFile(file, content);
  return file;
}
