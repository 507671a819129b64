// Publishing the policy from the API: a document is written to the KV key `policy` only when it compiles
// (the same check the loader applies), and every written document is kept in the D1 table
// `policy_versions` with who wrote it and when, so any earlier one can be restored in one call.
// Hand edits in the KV dashboard keep working: the loader judges them as before, and the next publication
// first records the hand-edited text it replaces, so it can be restored too.
import { sha256Hex } from "../crypto";
import { ok, type Result, refused } from "../result";
import { latestPolicyVersion, type PolicyVersionView, recordPolicyVersion } from "../store/policy-versions";
import type { PolicyProblem } from "./document/positions";
import { compilePolicyText } from "./engine/compile";
import { policyKey, writeCompiledCache } from "./loader";

/** Why a publication was refused: the document does not compile (400), or the live value moved (409). */
export type PublishRefusal =
	| { status: 400; policyProblem: PolicyProblem }
	| { status: 409; message: string; liveHash: string | null };

/** The outcome of a publication: the version recorded and the one before it, or why nothing was written. */
export type PublishResult = Result<
	{ published: PolicyVersionView; previous: PolicyVersionView | null },
	PublishRefusal
>;

/**
 * The live KV value and its hash (null when the key is empty): of the shared key `policy`, or with `app`
 * of that app's own key `policy:<SdkAppid>`.
 */
export async function readLivePolicy(
	env: Env,
	app: string | null = null,
): Promise<{ text: string | null; hash: string | null }> {
	const text = await env.POLICY.get(policyKey(app), "text");
	return { text, hash: text === null ? null : await sha256Hex(text) };
}

/**
 * The live text that decides an app's callbacks and its hash: its own key `policy:<SdkAppid>` when that
 * holds a value, else the shared key `policy` (null when neither does).
 */
export async function readAppPolicy(
	env: Env,
	app: string,
): Promise<{ text: string | null; hash: string | null }> {
	const own = await readLivePolicy(env, app);
	return own.text === null ? readLivePolicy(env) : own;
}

/**
 * Writes `text` to the KV key `policy` (with `app`: `policy:<SdkAppid>`) when it compiles; otherwise nothing is written (400 with the
 * problem). With `baseHash`, refuses (409) when the live value changed since the caller read it, so a
 * concurrent hand edit is not overwritten unseen. The last-known-good copy is left to the loader.
 */
export async function publishPolicy(
	env: Env,
	text: string,
	by: string,
	options: { baseHash?: string | null; restoredFrom?: number; app?: string | null } = {},
): Promise<PublishResult> {
	const app = options.app ?? null;
	const compiled = compilePolicyText(text);
	if (!compiled.ok) return refused({ status: 400, policyProblem: compiled.problem });
	const live = await readLivePolicy(env, app);
	if (options.baseHash !== undefined && options.baseHash !== live.hash)
		return refused({
			status: 409,
			message: "the live policy changed since it was loaded: reload it, then publish again",
			liveHash: live.hash,
		});
	let previous = await latestPolicyVersion(env.DB, app ?? "");
	if (live.text !== null && live.hash !== previous?.hash) {
		// A hand edit (or a value from before the console): keep it restorable before replacing it.
		const parsed = compilePolicyText(live.text);
		previous = await recordPolicyVersion(env.DB, {
			sdk_app_id: app ?? "",
			published_at: Date.now(),
			published_by: "KV (hand edit)",
			action: "hand-edit",
			restored_from: null,
			version: parsed.ok ? parsed.value.version : null,
			hash: live.hash as string,
			text: live.text,
		});
	}
	const hash = await sha256Hex(text);
	await env.POLICY.put(policyKey(app), text);
	// As `npm run policy -- push` does: cold isolates then load the compiled form instead of compiling.
	await writeCompiledCache(env, compiled.value, hash);
	const published = await recordPolicyVersion(env.DB, {
		sdk_app_id: app ?? "",
		published_at: Date.now(),
		published_by: by,
		action: options.restoredFrom === undefined ? "publish" : "rollback",
		restored_from: options.restoredFrom ?? null,
		version: compiled.value.version,
		hash,
		text,
	});
	return ok({ published, previous });
}
