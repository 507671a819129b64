// A recording stand-in for Tencent Chat's REST API, at the network edge: the test Worker's outbound fetch
// (miniflare `outboundService`) reaches this function in Node. It answers modify_topic, destroy_topic,
// get_topic and modify_group_base_info the way Tencent does, checks every UserSig against Tencent's own
// `tls-sig-api-v2` package, records each request, and plays scripted failures. Tests drive it through
// control paths on the same host: they share one fake, so everything is keyed by GroupId.
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";

const require = createRequire(import.meta.url);
const TLSSigAPIv2 = require("tls-sig-api-v2");

/** The fake's origin: TENCENT_API_BASE in tests. */
export const FAKE_TENCENT_ORIGIN = "https://tencent-rest.test";
export const FAKE_SECRET_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
export const FAKE_ADMIN_IDENTIFIER = "administrator";

/**
 * One scripted answer: `{status}` (an HTTP status), `{errorCode, errorInfo?}` (a Tencent error) or
 * `{hang: true}` (no answer at all).
 * A recorded call: `{at, command, query, body, userSigProblem, answered}`, where `userSigProblem` is null
 * when the UserSig matched what tls-sig-api-v2 issues for the same time.
 */

const state = {
	calls: [],
	topics: new Map(),
	groupNames: new Map(),
	scripts: new Map(),
};

function decodeTencentBase64(text) {
	return Buffer.from(text.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="), "base64");
}

/** Checks a UserSig with Tencent's package as the oracle: same fields, same signature at the same time. */
export function userSigProblem(userSig, sdkAppId, identifier) {
	let ours;
	try {
		ours = JSON.parse(inflateSync(decodeTencentBase64(userSig)).toString("utf8"));
	} catch (error) {
		return `not a TLSSigAPIv2 ticket: ${String(error)}`;
	}
	const time = Number(ours["TLS.time"]);
	const expire = Number(ours["TLS.expire"]);
	const realNow = Date.now;
	let reference;
	try {
		Date.now = () => time * 1000;
		const theirs = new TLSSigAPIv2.Api(Number(sdkAppId), FAKE_SECRET_KEY).genUserSig(identifier, expire);
		reference = JSON.parse(inflateSync(decodeTencentBase64(theirs)).toString("utf8"));
	} finally {
		Date.now = realNow;
	}
	if (JSON.stringify(ours) !== JSON.stringify(reference))
		return `differs from tls-sig-api-v2: ${JSON.stringify(ours)} vs ${JSON.stringify(reference)}`;
	const age = Math.floor(realNow() / 1000) - time;
	if (age < -300 || age > expire) return `expired or from the future (age ${age} s, expire ${expire} s)`;
	return null;
}

const json = (body, status = 200) =>
	new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const ok = (extra = {}) => json({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, ...extra });
const fail = (errorCode, errorInfo) =>
	json({ ActionStatus: "FAIL", ErrorInfo: errorInfo, ErrorCode: errorCode });

async function control(url, request) {
	const body = request.method === "POST" ? await request.json() : {};
	const groupId = String(body.groupId ?? url.searchParams.get("groupId") ?? "");
	switch (url.pathname) {
		case "/__control/topics": {
			const topics = new Map();
			for (const topic of body.topics) topics.set(topic.topicId, topic.name);
			state.topics.set(groupId, topics);
			return ok();
		}
		case "/__control/script":
			state.scripts.set(`${groupId}\n${String(body.command)}`, body.answers);
			return ok();
		case "/__control/verify-usersig":
			return json({
				problem: userSigProblem(String(body.userSig), String(body.sdkAppId), String(body.identifier)),
			});
		case "/__control/calls":
			return json(state.calls.filter((call) => call.body.GroupId === groupId));
		default:
			return json({ error: "unknown control path" }, 404);
	}
}

function answer(command, body) {
	const groupId = String(body.GroupId ?? "");
	switch (command) {
		case "million_group_open_http_svc/modify_topic": {
			const topics = state.topics.get(groupId);
			const topicId = String(body.TopicId ?? "");
			if (!topics?.has(topicId)) return fail(10010, "topic not found");
			if (typeof body.TopicName === "string") topics.set(topicId, body.TopicName);
			return ok();
		}
		case "million_group_open_http_svc/destroy_topic": {
			const topics = state.topics.get(groupId);
			if (!topics) return fail(10010, "group not found");
			const results = body.TopicIdList.map((topicId) => ({
				TopicId: topicId,
				ErrorCode: topics.delete(topicId) ? 0 : 10010,
			}));
			return ok({ DestroyResultItem: results });
		}
		case "million_group_open_http_svc/get_topic": {
			const topics = state.topics.get(groupId);
			if (!topics) return fail(10010, "group not found");
			return ok({
				TopicAndSelfInfo: [...topics].map(([TopicId, TopicName]) => ({
					TopicInfo: { TopicId, TopicName, Introduction: "", Notification: "", FaceUrl: "" },
					SelfInfo: {},
					ErrorCode: 0,
					ErrorInfo: "",
				})),
			});
		}
		case "group_open_http_svc/modify_group_base_info":
			if (typeof body.Name === "string") state.groupNames.set(groupId, body.Name);
			return ok();
		default:
			return fail(10003, "invalid command");
	}
}

/** The outbound fetch handler: control paths, Tencent's REST paths; anything else is refused. */
export async function fakeTencent(request) {
	const url = new URL(request.url);
	if (url.origin !== FAKE_TENCENT_ORIGIN) return json({ error: `no network in tests: ${url.origin}` }, 502);
	if (url.pathname.startsWith("/__control/")) return control(url, request);
	const command = url.pathname.replace(/^\/v4\//, "");
	const body = await request.json().catch(() => ({}));
	const query = Object.fromEntries(url.searchParams);
	const problem = userSigProblem(query.usersig ?? "", query.sdkappid ?? "", query.identifier ?? "");
	const script = state.scripts.get(`${String(body.GroupId ?? "")}\n${command}`);
	const scripted = script?.shift();
	let response;
	let answered;
	if (scripted?.hang) {
		state.calls.push({ at: Date.now(), command, query, body, userSigProblem: problem, answered: "hang" });
		return new Promise(() => {});
	}
	if (scripted?.status !== undefined) {
		answered = `HTTP ${scripted.status}`;
		response = json({ error: "scripted" }, scripted.status);
	} else if (scripted?.errorCode !== undefined) {
		answered = `ErrorCode ${scripted.errorCode}`;
		response = fail(scripted.errorCode, scripted.errorInfo ?? "scripted");
	} else if (problem !== null) {
		answered = "ErrorCode 70009";
		response = fail(70009, `usersig check failed: ${problem}`);
	} else {
		response = answer(command, body);
		answered = `HTTP ${response.status}`;
	}
	state.calls.push({ at: Date.now(), command, query, body, userSigProblem: problem, answered });
	return response;
}
