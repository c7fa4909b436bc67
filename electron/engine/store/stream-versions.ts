/**
 * Stream versions as one connection last read or wrote them, so that an append's expectation
 * check costs no query. They are trusted only inside that connection's own write transaction,
 * and only while no OTHER connection has committed since they were learnt: PRAGMA
 * data_version changes exactly then, and it is compared at the start of every outermost write
 * transaction (trust). Whatever a rollback may have undone is forgotten (forget).
 */
export class KnownStreamVersions {
  private readonly versions = new Map<string, number>();
  /** The data_version the versions were learnt under. */
  private learntAsOf: number | undefined;
  /** True inside a write transaction whose start found the versions current. */
  private trusted = false;

  /**
   * Called first thing inside every outermost write transaction, once the write lock is held:
   * if another connection committed since the versions were learnt, they are dropped.
   */
  trust(dataVersion: number): void {
    if (dataVersion !== this.learntAsOf) this.forget();
    this.learntAsOf = dataVersion;
    this.trusted = true;
  }

  /** The outermost write transaction ended: nothing is trusted until the next one starts (and rolled-back versions are dropped). */
  settled(committed: boolean): void {
    this.trusted = false;
    if (!committed) this.forget();
  }

  /** Drops every version (a rollback may have undone some). */
  forget(): void {
    this.versions.clear();
    this.learntAsOf = undefined;
  }

  /** The stream's version when it is known and trusted now; otherwise undefined. */
  get(streamId: string): number | undefined {
    return this.trusted ? this.versions.get(streamId) : undefined;
  }

  /** The stream is at `version`, as read or written inside the trusted transaction (ignored outside one). */
  learn(streamId: string, version: number): void {
    if (this.trusted) this.versions.set(streamId, version);
  }

  /**
   * The data_version read at the start of the open write transaction, while it is trusted: no
   * other connection can commit inside our transaction, so it still holds. Otherwise undefined.
   */
  dataVersionInTransaction(): number | undefined {
    return this.trusted ? this.learntAsOf : undefined;
  }
}
