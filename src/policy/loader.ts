// The loader: the only part of the policy that does I/O. One object per isolate keeps the compiled policy,
// refreshes it from KV behind the answers (stale-while-revalidate, one read in flight at a time, backing
// off while KV fails), reads a compiled form cached in KV instead of compiling again, and persists every
// valid policy it loads as the last known good one (KV key `policy:last-known-good`), which it falls back
// to when the live value is broken. Each app (SdkAppid) may have its own policy under `policy:<SdkAppid>`
// (with its own last-known-good copy); an app without one is decided by the shared key `policy`.
import { sha256Hex } from "../crypto";
import { afterAnswer, type Defer, withinDeadline } from "../deadline";
import { errorMessage, log } from "../log";
import type { Outcome, PolicyProblem } from "./document/positions";
import { POLICY_KEY } from "./document/schema";
import { compilePolicyText } from "./engine/compile";
import {
	COMPILED_CACHE_TTL_SECONDS,
	compiledCacheKey,
	compiledFormIntact,
	decodeCompiledPolicy,
	encodeCompiledPolicy,
} from "./engine/compiled-cache";
import type { CompiledPolicy } from "./engine/types";

/** KV key of the last valid policy any isolate loaded; value: its text, metadata: {@link LastKnownGoodMeta}. */
export const LAST_KNOWN_GOOD_KEY = "policy:last-known-good";

/** The KV key of an app's own policy (`policy:<SdkAppid>`), or the shared key `policy` for null. */
export function policyKey(app: string | null): string {
	return app === null ? POLICY_KEY : `${POLICY_KEY}:${app}`;
}

/** The KV key of the last known good copy of {@link policyKey}'s policy. */
export function lastKnownGoodKey(app: string | null): string {
	return app === null ? LAST_KNOWN_GOOD_KEY : `${LAST_KNOWN_GOOD_KEY}:${app}`;
}

/**
 * How often a warm isolate re-reads the policy, behind the answers. Without a bound every callback would
 * start a KV read (each one billed, and each competing with the answers for CPU); one a second keeps an
 * edit's delay at KV's own propagation time plus at most a second.
 */
export const REFRESH_EVERY_MS = 1_000;
/**
 * How often an app's own key `policy:<SdkAppid>` is read again while it holds nothing (the shared key then
 * decides, refreshed every second): most apps never get one, and one read a second of an empty key would
 * double the KV reads of a one-app Worker. A key created later is used within this (plus KV's propagation).
 */
export const ABSENT_REFRESH_EVERY_MS = 10_000;
/**
 * How long a decision waits for KV when this isolate has no policy yet (cold start, or nothing usable so
 * far). Tencent waits 2 s for the whole answer; past this the fail mode answers and the load goes on.
 */
export const COLD_LOAD_DEADLINE_MS = 1_000;
/** A KV read that takes longer counts as failed (and the refresh as finished), whatever happens to it. */
export const KV_READ_DEADLINE_MS = 5_000;
/** After a failed KV read the next refresh waits this long, doubling per further failure up to the cap. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
/**
 * A refresh older than this is assumed lost (the request carrying it ended and the runtime dropped its
 * I/O) and another may start.
 */
export const REFRESH_LOST_AFTER_MS = 10_000;

interface LastKnownGoodMeta {
	hash: string;
	version: string | null;
	savedAt: string;
}

/** How a policy is named in logs, decisions and the ledger: its `version`, else `sha256:` and 12 hex digits. */
export function policyLabel(version: string | null, hash: string): string {
	return version ?? `sha256:${hash.slice(0, 12)}`;
}

/** A compiled policy and where it came from. */
export interface LoadedPolicy {
	compiled: CompiledPolicy;
	text: string;
	/** SHA-256 (hex) of `text`. */
	hash: string;
	/** The document's `version`, else `sha256:` and the first 12 hex digits of its text's hash. */
	label: string;
	/** Where this isolate got it: the live key, or the last-known-good copy (at a cold start). */
	origin: "live" | "last-known-good";
	/** Whether it was compiled here or read from the compiled form cached in KV. */
	from: "compiled" | "cache";
	loadedAt: number;
}

/** What this isolate knows about the policy. */
export interface PolicyState {
	policy: LoadedPolicy | null;
	/** Why the live value is not in use (broken or missing); null when the live value is the policy. */
	liveProblem: PolicyProblem | null;
	/** The last KV error, when KV could not be read. */
	kvError: string | null;
	/** When KV last answered (ms), 0 before the first read. */
	fetchedAt: number;
}

/** Time as the loader sees it; tests pass a fake one. */
export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/** The runtime's clock. */
export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The policy of one isolate. {@link PolicyLoader.current} never waits for KV once a policy is loaded:
 * it answers from the cache and, when the last read is older than {@link REFRESH_EVERY_MS}, starts one
 * refresh behind the answer. Concurrent callers share that one refresh. After a KV failure the next
 * attempt waits out a backoff (1 s doubling to 60 s), during which nobody waits on KV.
 */
export class PolicyLoader {
	private state: PolicyState = { policy: null, liveProblem: null, kvError: null, fetchedAt: 0 };
	/** The refresh in flight and when it started. */
	private inFlight: { done: Promise<void>; startedAt: number } | null = null;
	/** No refresh starts before this time (ms): the refresh interval, or the backoff after a failure. */
	private nextRefreshAt = 0;
	private failures = 0;
	/** Hash of the last broken live text, logged once rather than on every refresh. */
	private brokenHash: string | null = null;
	private savedLastKnownGoodHash: string | null = null;
	/** An app's loader only: true while its key `policy:<SdkAppid>` holds no value (the shared one decides). */
	private absent = false;
	private readonly key: string;
	private readonly lastKnownGoodKey: string;

	/** The loader of the shared key `policy`, or, with `app`, of that app's own key `policy:<SdkAppid>`. */
	constructor(
		private readonly clock: Clock = systemClock,
		private readonly app: string | null = null,
	) {
		this.key = policyKey(app);
		this.lastKnownGoodKey = lastKnownGoodKey(app);
	}

	/**
	 * Whether this loader's key holds a policy, valid or broken: false for an app's key that is empty, or
	 * not read yet, or unreadable with nothing known (the shared policy then decides for the app).
	 */
	hasOwn(): boolean {
		return !this.absent && (this.state.policy !== null || this.state.liveProblem !== null);
	}

	/** Whether this loader has read its key at least once (or failed to). */
	tried(): boolean {
		return this.state.fetchedAt !== 0 || this.state.kvError !== null;
	}

	/**
	 * The policy to decide with now. With no policy loaded yet, waits for the load (at most
	 * {@link COLD_LOAD_DEADLINE_MS}); otherwise answers at once and refreshes behind the answer when due.
	 */
	async current(env: Env, defer: Defer): Promise<PolicyState> {
		const refreshing = this.refreshIfDue(env, defer);
		if (this.state.policy === null && !this.absent && refreshing !== null) {
			const waited = this.clock.now() - refreshing.startedAt;
			await Promise.race([refreshing.done, this.clock.sleep(Math.max(0, COLD_LOAD_DEADLINE_MS - waited))]);
		}
		return this.state;
	}

	/**
	 * The policy this isolate already holds, or null when it holds none; never waits and never starts a
	 * first load (a cold load costs a compile or a read of the compiled form). A held policy is refreshed
	 * behind the caller when due, as {@link current} does.
	 */
	held(env: Env, defer: Defer): LoadedPolicy | null {
		if (this.state.policy === null) return null;
		this.refreshIfDue(env, defer);
		return this.state.policy;
	}

	/**
	 * What this isolate knows, loading the policy first if it never has (for /healthz). Writes nothing:
	 * neither the last known good copy nor the compiled form.
	 */
	async inspect(env: Env): Promise<PolicyState> {
		if (this.state.policy === null && this.state.fetchedAt === 0) {
			const refreshing = this.refreshIfDue(env, null);
			if (refreshing !== null) await refreshing.done;
		}
		return this.state;
	}

	/** The refresh in flight, starting one when it is due; null when none runs. */
	private refreshIfDue(env: Env, defer: Defer | null): { done: Promise<void>; startedAt: number } | null {
		const now = this.clock.now();
		if (this.inFlight !== null && now - this.inFlight.startedAt <= REFRESH_LOST_AFTER_MS)
			return this.inFlight;
		if (this.inFlight === null && now < this.nextRefreshAt) return null;
		const started = { done: Promise.resolve(), startedAt: now };
		started.done = this.refresh(env, defer).finally(() => {
			if (this.inFlight === started) this.inFlight = null;
		});
		this.inFlight = started;
		defer?.(started.done);
		return started;
	}

	private async refresh(env: Env, defer: Defer | null): Promise<void> {
		try {
			let text: string | null;
			try {
				text = await withinDeadline(env.POLICY.get(this.key, "text"), KV_READ_DEADLINE_MS, "the KV read");
			} catch (error) {
				this.failed(error);
				if (this.state.policy === null) await this.loadLastKnownGood(env, defer);
				return;
			}
			this.failures = 0;
			this.nextRefreshAt = this.clock.now() + REFRESH_EVERY_MS;
			this.state = { ...this.state, kvError: null, fetchedAt: this.clock.now() };
			const current = this.state.policy;
			this.absent = text === null && this.app !== null;
			if (this.absent) {
				// An app without its own policy: the shared key decides for it; nothing to fall back to here.
				this.nextRefreshAt = this.clock.now() + ABSENT_REFRESH_EVERY_MS;
				this.state = { ...this.state, policy: null, liveProblem: null };
				this.brokenHash = null;
				return;
			}
			if (text === null) {
				this.noteLiveProblem({
					message: `no value under the KV key "${this.key}"`,
					rule: null,
					line: null,
					column: null,
				});
			} else if (current?.origin === "live" && current.text === text) {
				this.state = { ...this.state, liveProblem: null };
			} else {
				const hash = await sha256Hex(text);
				if (hash !== this.brokenHash) {
					const outcome = await this.compiled(env, text, hash, "live", defer);
					if (outcome.ok) {
						this.state = { ...this.state, policy: outcome.value, liveProblem: null };
						this.brokenHash = null;
						const loaded = { version: outcome.value.label, from: outcome.value.from };
						const policy = outcome.value;
						// At a cold start a decision waits for this load: its log line and the last-known-good
						// copy come after the answer.
						if (defer === null) log("info", "policy.loaded", loaded);
						else afterAnswer(defer, () => log("info", "policy.loaded", loaded));
						if (defer !== null && this.savedLastKnownGoodHash !== hash)
							afterAnswer(defer, () => this.saveLastKnownGood(env, policy));
					} else {
						this.brokenHash = hash;
						this.noteLiveProblem(outcome.problem);
					}
				}
			}
			if (this.state.liveProblem !== null && this.state.policy === null)
				await this.loadLastKnownGood(env, defer);
		} catch (error) {
			log("error", "policy.refresh_failed", { error: errorMessage(error) });
		}
	}

	private failed(error: unknown): void {
		this.absent = false;
		this.failures++;
		const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (this.failures - 1), BACKOFF_CAP_MS);
		this.nextRefreshAt = this.clock.now() + backoff;
		this.state = { ...this.state, kvError: errorMessage(error) };
		log("error", "policy.kv_read_failed", {
			key: this.key,
			error: this.state.kvError,
			keeping: this.state.policy?.label ?? null,
			retryInMs: backoff,
		});
	}

	private noteLiveProblem(problem: PolicyProblem): void {
		log("error", "policy.live_unusable", {
			key: this.key,
			...problem,
			keeping: this.state.policy?.label ?? null,
		});
		this.state = { ...this.state, liveProblem: problem };
	}

	/**
	 * The compiled policy of `text`: read from its compiled form in KV when one is there and intact for
	 * this document and compiler, else compiled here (and the compiled form written behind the answer).
	 */
	private async compiled(
		env: Env,
		text: string,
		hash: string,
		origin: LoadedPolicy["origin"],
		defer: Defer | null,
	): Promise<Outcome<LoadedPolicy>> {
		const key = compiledCacheKey(hash);
		let cached: ArrayBuffer | null = null;
		try {
			cached = await withinDeadline(env.POLICY.get(key, "arrayBuffer"), KV_READ_DEADLINE_MS, "the KV read");
		} catch (error) {
			log("warn", "policy.compiled_cache_read_failed", { error: errorMessage(error) });
		}
		if (cached !== null) {
			const decoded = decodeCompiledPolicy(cached, hash);
			if (!decoded.ok) log("warn", "policy.compiled_cache_unusable", { ...decoded.problem });
			else if (defer === null) {
				if (await compiledFormIntact(cached))
					return { ok: true, value: this.loaded(decoded.value, text, hash, origin, "cache") };
				log("error", "policy.compiled_cache_corrupt", { key, consequence: "compiled here" });
			} else {
				// Hashing the form is the largest cost of reading it: a decision waiting for this load goes first,
				// and the check follows it.
				const value = this.loaded(decoded.value, text, hash, origin, "cache");
				const form = cached;
				afterAnswer(defer, () => this.checkForm(env, form, value));
				return { ok: true, value };
			}
		}
		const compiled = compilePolicyText(text);
		if (!compiled.ok) return { ok: false, problem: compiled.problem };
		// Encoding takes CPU too: it starts after the answer has gone.
		if (defer !== null) afterAnswer(defer, () => writeCompiledCache(env, compiled.value, hash));
		return { ok: true, value: this.loaded(compiled.value, text, hash, origin, "compiled") };
	}

	/**
	 * After the answer that used `policy`, read from the compiled form `form` unchecked: when the form's
	 * digest does not match, it is not used again. The isolate forgets the policy, compiles the document at
	 * the next decision, and writes the form anew. The decision already taken stands; a topic it let through
	 * is judged again by the after-the-fact check of its creation.
	 */
	private async checkForm(env: Env, form: ArrayBuffer, policy: LoadedPolicy): Promise<void> {
		if (await compiledFormIntact(form)) return;
		const key = compiledCacheKey(policy.hash);
		log("error", "policy.compiled_cache_corrupt", { key, consequence: "compiled at the next decision" });
		if (this.state.policy === policy) {
			this.state = { ...this.state, policy: null };
			this.nextRefreshAt = 0;
		}
		try {
			await env.POLICY.delete(key);
		} catch (error) {
			log("warn", "policy.compiled_cache_write_failed", { error: errorMessage(error) });
		}
	}

	private async loadLastKnownGood(env: Env, defer: Defer | null): Promise<void> {
		try {
			const text = await withinDeadline(
				env.POLICY.get(this.lastKnownGoodKey, "text"),
				KV_READ_DEADLINE_MS,
				"the KV read",
			);
			if (text === null) {
				log("error", "policy.no_last_known_good", { key: this.key, consequence: "POLICY_FAIL_MODE applies" });
				return;
			}
			const hash = await sha256Hex(text);
			const outcome = await this.compiled(env, text, hash, "last-known-good", defer);
			if (!outcome.ok) {
				log("error", "policy.last_known_good_unusable", { ...outcome.problem });
				return;
			}
			this.savedLastKnownGoodHash = hash;
			this.state = { ...this.state, policy: outcome.value };
			log("warn", "policy.using_last_known_good", { version: outcome.value.label });
		} catch (error) {
			log("error", "policy.last_known_good_read_failed", { error: errorMessage(error) });
		}
	}

	private async saveLastKnownGood(env: Env, policy: LoadedPolicy): Promise<void> {
		try {
			const stored = await env.POLICY.getWithMetadata<LastKnownGoodMeta>(this.lastKnownGoodKey, "stream");
			await stored.value?.cancel();
			if (stored.metadata?.hash !== policy.hash) {
				const metadata: LastKnownGoodMeta = {
					hash: policy.hash,
					version: policy.compiled.version,
					savedAt: new Date(this.clock.now()).toISOString(),
				};
				await env.POLICY.put(this.lastKnownGoodKey, policy.text, { metadata });
				log("info", "policy.last_known_good_saved", { version: policy.label });
			}
			this.savedLastKnownGoodHash = policy.hash;
		} catch (error) {
			log("error", "policy.last_known_good_save_failed", { error: errorMessage(error) });
		}
	}

	private loaded(
		compiled: CompiledPolicy,
		text: string,
		hash: string,
		origin: LoadedPolicy["origin"],
		from: LoadedPolicy["from"],
	): LoadedPolicy {
		const label = policyLabel(compiled.version, hash);
		return { compiled, text, hash, label, origin, from, loadedAt: this.clock.now() };
	}
}

/**
 * Writes the compiled form of the policy text whose hash is `hash` to KV, for the next cold isolate (and
 * the other isolates that have not loaded it yet). Never throws: a policy that cannot be written is
 * simply compiled by each isolate, as without the cache.
 */
export async function writeCompiledCache(env: Env, compiled: CompiledPolicy, hash: string): Promise<void> {
	try {
		const bytes = await encodeCompiledPolicy(compiled, hash);
		await env.POLICY.put(compiledCacheKey(hash), bytes, { expirationTtl: COMPILED_CACHE_TTL_SECONDS });
		log("info", "policy.compiled_cache_written", { key: compiledCacheKey(hash), bytes: bytes.byteLength });
	} catch (error) {
		log("warn", "policy.compiled_cache_write_failed", { error: errorMessage(error) });
	}
}
