/**
 * One API call's unit of work: the undo steps of every write (for allOrNone and composite rollback) and the
 * change events to publish when, and only if, the call commits.
 */
import { randomUUID } from 'node:crypto';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

export interface PendingChange {
  object: string;
  recordId: string;
  changeType: ChangeType;
  /** Field values before the write (undefined on create). */
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
  userId: string;
  /** `com/salesforce/api/rest/60.0;client=concord`, or '' for UI edits. */
  origin: string;
  at: number;
}

export interface Transaction {
  /** Assigned when the transaction publishes changes (most calls are reads and never need one). */
  key: string;
  changes: PendingChange[];
  undo: Array<() => void>;
}

export function createTransaction(): Transaction {
  return { key: '', changes: [], undo: [] };
}

export function transactionKey(tx: Transaction): string {
  if (!tx.key) tx.key = randomUUID();
  return tx.key;
}

/** Undoes every write of the transaction, newest first, and forgets its changes. */
export function rollback(tx: Transaction): void {
  for (const undo of tx.undo.splice(0).reverse()) undo();
  tx.changes.length = 0;
}

/** A savepoint: the undo steps added after it can be rolled back alone (allOrNone inside a composite). */
export function savepoint(tx: Transaction): () => void {
  const mark = tx.undo.length;
  return () => {
    for (const undo of tx.undo.splice(mark).reverse()) undo();
  };
}
