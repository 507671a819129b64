// What the enforcement tests over real sockets share: callbacks signed as Tencent signs them, the admin API
// with a bearer token, fresh community IDs, and waiting on the ledger.
import { createHash } from "node:crypto";
import type { RunningWorker } from "./worker";

/** Every RequestTime this process signed last: each call gets its own unless one is given. */
const signing = { lastRequestTime: Math.floor(Date.now() / 1000), communities: 0 };

/**
 * A callback signed as Tencent signs it: Sign = hex SHA-256 of token + RequestTime (computed here with Node's
 * crypto, not the Worker's code). Each call gets its own RequestTime unless one is given, as a redelivery has.
 */
export function signedCallback(
	worker: RunningWorker,
	token: string,
	app: string,
	command: string,
	body: Record<string, unknown>,
	requestTime?: number,
): Promise<Response> {
	const time = String(requestTime ?? Math.max(Math.floor(Date.now() / 1000), ++signing.lastRequestTime - 30));
	const query = new URLSearchParams({
		SdkAppid: app,
		CallbackCommand: command,
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
		RequestTime: time,
		Sign: createHash("sha256")
			.update(token + time)
			.digest("hex"),
	});
	return worker.fetch(`/?${query}`, {
		method: "POST",
		body: JSON.stringify({ CallbackCommand: command, ...body }),
	});
}

/** The admin API with a bearer token: status and JSON of one call. */
export function adminApi(worker: RunningWorker, token: string) {
	return <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> =>
		worker
			.fetch(path, {
				method,
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
			})
			.then(async (response) => ({ status: response.status, json: (await response.json()) as T }));
}

/** A community ID not used before in this process, and the topic IDs of it. */
export function newCommunity(prefix: string) {
	const groupId = `@TGS#_@TGS#${prefix}${++signing.communities}${Date.now().toString(36)}`;
	return { groupId, topic: (name: string) => `${groupId}@TOPIC#_${name}` };
}

/** Polls `read` until `done` holds (at most 30 s) and returns the last value. */
export async function pollUntil<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	what: string,
): Promise<T> {
	let value = await read();
	for (const started = Date.now(); !done(value); value = await read()) {
		if (Date.now() - started > 30_000) throw new Error(`${what} never settled: ${JSON.stringify(value)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return value;
}

/** A ledger row as far as the harness looks at it. */
interface LedgerRow {
	status: string;
}

/**
 * The helpers of one test file: signed callbacks for `app` (another one per call if given), the admin API,
 * fresh communities, the ledger polled until settled, and waiting until the enforcement queue is drained.
 * `worker` is read at each call (it is started in beforeAll).
 */
export function enforcementHarness<Row extends LedgerRow>(
	worker: () => RunningWorker,
	options: { callbackToken: string; adminToken: string; app: string; prefix: string },
) {
	const callback = (
		command: string,
		body: Record<string, unknown>,
		call: { app?: string; requestTime?: number } = {},
	) =>
		signedCallback(worker(), options.callbackToken, call.app ?? options.app, command, body, call.requestTime);
	const api = <T>(method: string, path: string, body?: unknown) =>
		adminApi(worker(), options.adminToken)<T>(method, path, body);
	const ledger = async (query: string) =>
		(await api<{ actions: Row[] }>("GET", `/api/enforcement?limit=1000&${query}`)).json.actions;
	/** Polls the ledger until `done` holds for its rows (at most 30 s), and returns them. */
	const ledgerUntil = (query: string, done: (rows: Row[]) => boolean) =>
		pollUntil(() => ledger(query), done, `the ledger for ${query}`);
	const community = () => newCommunity(options.prefix);
	/**
	 * Waits until the enforcement queue has handled everything sent before: a signed rename of a topic of its
	 * own to a banned name ("casino": the policy must refuse it), whose ledger row settles once the messages
	 * before it were taken.
	 */
	const drained = async () => {
		const { groupId, topic } = community();
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topic("sentinel"),
			Type: "Community",
			Operator_Account: "sentinel",
			Name: "casino",
		});
		await ledgerUntil(`topic=${encodeURIComponent(topic("sentinel"))}`, (rows) => settled(rows));
	};
	return { callback, api, ledger, ledgerUntil, community, drained };
}

/** Whether at least `count` rows are there and none is pending any more. */
export function settled(rows: readonly LedgerRow[], count = 1): boolean {
	return rows.length >= count && rows.every((row) => row.status !== "pending");
}
