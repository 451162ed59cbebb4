import { readFile, rm } from 'node:fs/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { emptyState, type ClusterState, type JournalEntry, type NodeState } from './cluster-state.js';

// Reads and writes state.json; every change is written at once, atomically, so a crash loses nothing recorded.
export class StateStore {
  private state: ClusterState | undefined;

  constructor(readonly file: string) {}

  // The state on disk, or an empty state when the tool never ran here.
  async load(): Promise<ClusterState> {
    if (this.state) return this.state;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (this.state = emptyState());
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as ClusterState;
      if (parsed.version !== 1 || typeof parsed.nodes !== 'object') throw new Error('unknown state version');
      parsed.journal ??= [];
      return (this.state = parsed);
    } catch (error) {
      throw new HotstandbyError('STATE_CORRUPT', `the state file ${this.file} cannot be read: ${(error as Error).message}`, {
        where: { file: this.file },
        fix: 'restore it from a backup, or move it away to let hotstandby start over (it then treats existing data directories as adopted)',
      });
    }
  }

  // True when a state file exists on disk.
  async exists(): Promise<boolean> {
    return readFile(this.file).then(
      () => true,
      () => false,
    );
  }

  // Apply a change to the state and write it.
  async update(change: (state: ClusterState) => void): Promise<ClusterState> {
    const state = await this.load();
    change(state);
    state.updatedAt = new Date().toISOString();
    await writeFileAtomic(this.file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    return state;
  }

  // Record a node (replacing what was known about it).
  async putNode(node: NodeState): Promise<void> {
    await this.update((s) => {
      s.nodes[node.name] = node;
    });
  }

  // Record one reversible effect.
  async addJournal(entry: JournalEntry): Promise<void> {
    await this.update((s) => {
      s.journal.push(entry);
    });
  }

  // Forget journal entries that match (after they were undone).
  async removeJournal(match: (entry: JournalEntry) => boolean): Promise<void> {
    await this.update((s) => {
      s.journal = s.journal.filter((e) => !match(e));
    });
  }

  // Delete the state file (down --purge, once nothing in it is needed); the next load starts from an empty state.
  async remove(): Promise<void> {
    await rm(this.file, { force: true });
    this.state = undefined;
  }
}
