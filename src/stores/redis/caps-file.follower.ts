import type { StoreLogger } from '../capability-store';
import type { CapsFileMonitor } from '../file/caps-file-monitor';
import type { ReplicatedState } from './replicated-state';

/**
 * Keeps the deployed part of the policy (graph, `auto_admin`, `default`, `guest`,
 * `pinned`) in step with this instance's caps.yaml by polling it; its `users` and
 * `identities` are ignored, since the accounts live in Redis. A broken edit is
 * logged once and the last valid version stays in force.
 */
export class CapsFileFollower {
  private readonly timer: NodeJS.Timeout;
  private looking = false;

  constructor(
    private readonly monitor: CapsFileMonitor,
    private readonly state: ReplicatedState,
    private readonly logger: StoreLogger,
    pollIntervalMs: number,
  ) {
    this.timer = setInterval(() => void this.look(), pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const check = await this.monitor.check();
      if (check.kind === 'changed') {
        this.state.adoptFile(check.loaded.policy);
        this.logger.log('reloaded the capability graph and defaults after an edit of the capability file');
      } else if (check.kind === 'broken' && check.fresh) {
        this.logger.error(`${check.error.message} (the last valid version stays in force)`);
      }
    } finally {
      this.looking = false;
    }
  }
}
