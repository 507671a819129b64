// A clock the test moves by hand, for the policy loader's refresh interval, backoff and deadlines.
import type { Clock } from "../../src/policy/loader";

/** Time stands still until {@link FakeClock.advance}; sleepers wake when it passes their time. */
export class FakeClock implements Clock {
	private sleepers: { at: number; wake: () => void }[] = [];

	constructor(private time = Date.UTC(2026, 10, 28, 12)) {}

	now(): number {
		return this.time;
	}

	sleep(ms: number): Promise<void> {
		return new Promise((wake) => this.sleepers.push({ at: this.time + ms, wake }));
	}

	/** Moves time forward by `ms` and wakes every sleeper whose time has come. */
	advance(ms: number): void {
		this.time += ms;
		const due = this.sleepers.filter((sleeper) => sleeper.at <= this.time);
		this.sleepers = this.sleepers.filter((sleeper) => sleeper.at > this.time);
		for (const sleeper of due) sleeper.wake();
	}
}
