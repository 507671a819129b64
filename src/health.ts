// GET /healthz: can this Worker do its job right now, and how is it configured?
import packageJson from "../package.json";
import { ignoredCommands } from "./callbacks/receive";
import { handledCommands } from "./callbacks/registry";
import { type Config, readConfig, tencentSecretKey } from "./config";
import { withinDeadline } from "./deadline";
import { jsonResponse } from "./http/envelope";
import { errorMessage } from "./log";
import { policyHealth } from "./policy";

/** How long /healthz waits for each binding: a hung binding is reported, not waited on. */
const PROBE_DEADLINE_MS = 1_500;

/** Whether a binding answered, and how long it took. */
async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
	const started = Date.now();
	try {
		await withinDeadline(check(), PROBE_DEADLINE_MS, "the probe");
		return { ok: true, ms: Date.now() - started };
	} catch (error) {
		return { ok: false, ms: Date.now() - started, error: errorMessage(error) };
	}
}

/** Whether the Worker can act through Tencent's REST API: where, as whom, and which SdkAppids have a key. */
function enforcementHealth(config: Config): Record<string, unknown> {
	const { apiBase, identifier } = config.tencent;
	const withoutKey = config.sdkAppIds.filter((id) => tencentSecretKey(config, id) === null);
	return {
		apiBase,
		adminIdentifier: identifier,
		restApi: withoutKey.length === 0 ? "on" : "off",
		...(withoutKey.length === 0
			? {}
			: {
					warning: `no TENCENT_SECRET_KEY for SdkAppid ${withoutKey.join(", ")}: enforcement stays "log" (refused names are recorded, never changed)`,
				}),
	};
}

/** The /healthz body: version, KV and D1 reachability, auth mode, policy status. Always 200. */
export async function health(env: Env): Promise<Response> {
	const [kv, d1, policy] = await Promise.all([
		probe(() => env.POLICY.get("policy")),
		probe(() => env.DB.prepare("SELECT 1").first()),
		withinDeadline(policyHealth(env), PROBE_DEADLINE_MS, "the policy status").catch((error: unknown) => ({
			error: errorMessage(error),
		})),
	]);
	const config = readConfig(env);
	const signed = config.callbackTokens.length > 0;
	return jsonResponse({
		ok: kv.ok && d1.ok,
		version: packageJson.version,
		kv,
		d1,
		auth: signed
			? { mode: "token", tokens: config.callbackTokens.length, mutualTls: config.mutualTls.required }
			: {
					mode: "none",
					mutualTls: config.mutualTls.required,
					warning: "CALLBACK_TOKEN is not set: callbacks are not signature-checked",
				},
		sdkAppIds: config.sdkAppIds,
		api: config.adminToken ? "on" : "off",
		enforcement: enforcementHealth(config),
		policy,
		handledCommands,
		ignoredCommands: Object.fromEntries(ignoredCommands),
	});
}
