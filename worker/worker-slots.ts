/**
 * The build slots of one worker process, shared by its per-target BullMQ
 * workers (lib/build-targets.ts): KPY_WORKER_CONCURRENCY holds for the
 * process, not per queue. Listeners hear when the slots fill up and free
 * again.
 */
export class WorkerSlots {
  private used = 0;
  private readonly listeners: ((full: boolean) => void)[] = [];

  constructor(readonly size: number) {}

  /** Take a slot; false when all are in use. */
  tryTake(): boolean {
    if (this.used >= this.size) return false;
    this.used++;
    if (this.used === this.size) this.emit(true);
    return true;
  }

  give(): void {
    if (this.used === 0) return;
    this.used--;
    if (this.used === this.size - 1) this.emit(false);
  }

  get inUse(): number {
    return this.used;
  }

  onChange(fn: (full: boolean) => void): void {
    this.listeners.push(fn);
  }

  private emit(full: boolean): void {
    for (const fn of this.listeners) fn(full);
  }
}
