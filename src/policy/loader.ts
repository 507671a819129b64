// The loader: the only part of the policy that does I/O. It keeps the compiled policy of this isolate,
// refreshes it from KV in the background, and persists every valid policy it loads as the last known
// good one (KV key `policy:last-known-good`), which it falls back to when the live value is broken.
import { sha256Hex } from "../crypto";
import { withinDeadline } from "../deadline";
import { errorMessage, log } from "../log";
import { type CompiledPolicy, compilePolicyText } from "./compile";
import { POLICY_KEY, type PolicyProblem } from "./document";

/** KV key of the last valid policy any isolate loaded; value: its text, metadata: {@link LastKnownGoodMeta}. */
export const LAST_KNOWN_GOOD_KEY = "policy:last-known-good";

/** KV's own propagation bound: a policy older than this is refreshed before deciding (with a deadline). */
const FRESH_FOR_MS = 60_000;
/** How long a decision with a stale cached policy waits for KV before deciding with the cached one. */
const STALE_REFRESH_DEADLINE_MS = 250;
/**
 * How long a decision waits for KV when this isolate has no policy yet (cold start, or KV failing so far).
 * Tencent waits 2 s for the whole answer; past this the fail mode answers and the load goes on after it.
 */
const COLD_LOAD_DEADLINE_MS = 1_000;
/**
 * How often a warm isolate re-reads the policy in the background. Without a bound every callback would
 * start a KV read (each one billed, and each competing with the answers for CPU); one a second keeps an
 * edit's delay at KV's own propagation time plus at most a second.
 */
export const BACKGROUND_REFRESH_EVERY_MS = 1_000;
/** A background refresh older than this is assumed lost (its request ended) and may be started again. */
const REFRESH_LOST_AFTER_MS = 10_000;

interface LastKnownGoodMeta {
	hash: string;
	version: string | null;
	savedAt: string;
}

/** A compiled policy and where it came from. */
export interface LoadedPolicy {
	compiled: CompiledPolicy;
	text: string;
	hash: string;
	/** The document's `version`, else `sha256:` and the first 12 hex digits of its text's hash. */
	label: string;
	/** Where this isolate got it: the live key, or the last-known-good copy (at a cold start). */
	origin: "live" | "last-known-good";
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

let state: PolicyState = { policy: null, liveProblem: null, kvError: null, fetchedAt: 0 };
let lastBrokenText: string | null = null;
let refreshStartedAt = 0;
let savedLastKnownGoodHash: string | null = null;

/**
 * Forgets everything this isolate knows, as a restart would. For tests (a new isolate), never called
 * by the Worker itself.
 */
export function resetPolicyCacheForTests(): void {
	state = { policy: null, liveProblem: null, kvError: null, fetchedAt: 0 };
	lastBrokenText = null;
	refreshStartedAt = 0;
	savedLastKnownGoodHash = null;
}

/** Runs work after the answer, where there is a request to attach it to. */
type Defer = (work: Promise<unknown>) => void;

/**
 * The policy to decide with now. The first call in an isolate waits for KV; later calls answer from
 * the cache and refresh it in the background (at most once a second), so an edit is used from the
 * next decision after KV delivers it and that second has passed. A cache older than KV's own 60 s bound is refreshed first, waiting at most 250 ms; with
 * no policy at all, the wait is at most 1 s.
 */
export async function currentPolicyState(env: Env, defer: Defer): Promise<PolicyState> {
	const now = Date.now();
	if (state.fetchedAt === 0 && state.policy === null) {
		const loading = refresh(env, defer);
		defer(loading);
		// Past the deadline the fail mode answers; the load goes on after the answer (deferred above).
		await withinDeadline(loading, COLD_LOAD_DEADLINE_MS, "the cold policy load").catch(() => {});
	} else if (now - state.fetchedAt > FRESH_FOR_MS) {
		const refreshing = refresh(env, defer);
		defer(refreshing);
		await withinDeadline(refreshing, STALE_REFRESH_DEADLINE_MS, "the stale policy refresh").catch(() => {});
	} else if (
		refreshStartedAt === 0
			? now - state.fetchedAt >= BACKGROUND_REFRESH_EVERY_MS
			: now - refreshStartedAt > REFRESH_LOST_AFTER_MS
	) {
		defer(refresh(env, defer));
	}
	return state;
}

/** What this isolate knows, loading the policy first if it never has. For /healthz. */
export async function inspectPolicyState(env: Env): Promise<PolicyState> {
	if (state.fetchedAt === 0 && state.policy === null) {
		const pending: Promise<unknown>[] = [];
		await refresh(env, (work) => pending.push(work));
		await Promise.allSettled(pending);
	}
	return state;
}

async function refresh(env: Env, defer: Defer): Promise<void> {
	refreshStartedAt = Date.now();
	try {
		let text: string | null;
		try {
			text = await env.POLICY.get(POLICY_KEY, "text");
		} catch (error) {
			state = { ...state, kvError: errorMessage(error) };
			log("error", "policy.kv_read_failed", { error: state.kvError, keeping: state.policy?.label ?? null });
			if (state.policy === null) await loadLastKnownGood(env);
			return;
		}
		state = { ...state, kvError: null, fetchedAt: Date.now() };
		if (text === null) {
			noteLiveProblem({
				message: `no value under the KV key "${POLICY_KEY}"`,
				rule: null,
				line: null,
				column: null,
			});
		} else if (state.policy?.origin === "live" && state.policy.text === text) {
			state = { ...state, liveProblem: null };
		} else if (text === lastBrokenText) {
			// Same broken value as before: already logged.
		} else {
			const compiled = compilePolicyText(text);
			if (compiled.ok) {
				const policy = await loaded(compiled.value, text, "live");
				state = { ...state, policy, liveProblem: null };
				lastBrokenText = null;
				log("info", "policy.loaded", { version: policy.label });
				if (savedLastKnownGoodHash !== policy.hash) defer(saveLastKnownGood(env, policy));
			} else {
				lastBrokenText = text;
				noteLiveProblem(compiled.problem);
			}
		}
		if (state.liveProblem !== null && state.policy === null) await loadLastKnownGood(env);
	} catch (error) {
		log("error", "policy.refresh_failed", { error: errorMessage(error) });
	} finally {
		refreshStartedAt = 0;
	}
}

function noteLiveProblem(problem: PolicyProblem): void {
	log("error", "policy.live_unusable", { ...problem, keeping: state.policy?.label ?? null });
	state = { ...state, liveProblem: problem };
}

async function loadLastKnownGood(env: Env): Promise<void> {
	try {
		const text = await env.POLICY.get(LAST_KNOWN_GOOD_KEY, "text");
		if (text === null) {
			log("error", "policy.no_last_known_good", { consequence: "POLICY_FAIL_MODE applies" });
			return;
		}
		const compiled = compilePolicyText(text);
		if (!compiled.ok) {
			log("error", "policy.last_known_good_unusable", { ...compiled.problem });
			return;
		}
		const policy = await loaded(compiled.value, text, "last-known-good");
		savedLastKnownGoodHash = policy.hash;
		state = { ...state, policy };
		log("warn", "policy.using_last_known_good", { version: policy.label });
	} catch (error) {
		log("error", "policy.last_known_good_read_failed", { error: errorMessage(error) });
	}
}

async function saveLastKnownGood(env: Env, policy: LoadedPolicy): Promise<void> {
	try {
		const stored = await env.POLICY.getWithMetadata<LastKnownGoodMeta>(LAST_KNOWN_GOOD_KEY, "stream");
		await stored.value?.cancel();
		if (stored.metadata?.hash !== policy.hash) {
			const metadata: LastKnownGoodMeta = {
				hash: policy.hash,
				version: policy.compiled.version,
				savedAt: new Date().toISOString(),
			};
			await env.POLICY.put(LAST_KNOWN_GOOD_KEY, policy.text, { metadata });
			log("info", "policy.last_known_good_saved", { version: policy.label });
		}
		savedLastKnownGoodHash = policy.hash;
	} catch (error) {
		log("error", "policy.last_known_good_save_failed", { error: errorMessage(error) });
	}
}

async function loaded(
	compiled: CompiledPolicy,
	text: string,
	origin: LoadedPolicy["origin"],
): Promise<LoadedPolicy> {
	const hash = await sha256Hex(text);
	return {
		compiled,
		text,
		hash,
		label: compiled.version ?? `sha256:${hash.slice(0, 12)}`,
		origin,
		loadedAt: Date.now(),
	};
}
