// A recording stand-in for Tencent Chat's REST API, at the network edge: the test Worker's outbound fetch
// (miniflare `outboundService`) reaches this function in Node. It answers modify_topic, destroy_topic,
// get_topic, get_group_info and modify_group_base_info in the shapes Tencent documents (per-topic and
// per-group ErrorCode included), checks every UserSig against Tencent's own `tls-sig-api-v2` package,
// refuses a UserSig again once it has answered 70001 (expired) for it, records each request, and plays
// scripted answers. Tests drive it through control paths on the same host: they share one fake, so
// everything is keyed by GroupId.
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";

const require = createRequire(import.meta.url);
const TLSSigAPIv2 = require("tls-sig-api-v2");

/** The fake's origin: TENCENT_API_BASE in tests. */
export const FAKE_TENCENT_ORIGIN = "https://tencent-rest.test";
export const FAKE_SECRET_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
export const FAKE_ADMIN_IDENTIFIER = "administrator";

/**
 * One scripted answer: `{status}` (an HTTP status), `{errorCode, errorInfo?}` (a Tencent error),
 * `{body}` (HTTP 200 with this JSON body, as it is: per-topic codes, no ErrorCode…), `{raw}` (HTTP 200 with
 * this text, not JSON) or `{hang: true}` (no answer at all).
 * A recorded call: `{at, command, query, body, userSigProblem, answered}`, where `userSigProblem` is null
 * when the UserSig matched what tls-sig-api-v2 issues for the same time.
 */

const state = {
	calls: [],
	/** GroupId → Map(TopicId → TopicInfo fields). */
	topics: new Map(),
	/** GroupId → group profile ({Name, Owner_Account, Introduction, Notification, FaceUrl}). */
	groups: new Map(),
	groupNames: new Map(),
	scripts: new Map(),
	/** UserSigs answered 70001: Tencent refuses them from then on. */
	expiredUserSigs: new Set(),
};

/** The community a request is about: `GroupId`, or the first of get_group_info's `GroupIdList`. */
function groupOf(body) {
	return String(body.GroupId ?? (Array.isArray(body.GroupIdList) ? body.GroupIdList[0] : "") ?? "");
}

/** A topic as get_topic reports it (TopicInfo), from what a test set up. */
function topicInfo(topicId, topic) {
	return {
		TopicId: topicId,
		TopicName: topic.name,
		Introduction: topic.introduction ?? "",
		Notification: topic.notification ?? "",
		FaceUrl: topic.faceUrl ?? "",
		CustomString: topic.customString ?? "",
		GroupID: "",
		CreateTime: 1670574414,
	};
}

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
			for (const topic of body.topics) topics.set(topic.topicId, { ...topic });
			state.topics.set(groupId, topics);
			return ok();
		}
		case "/__control/group":
			state.groups.set(groupId, { ...body.group });
			return ok();
		case "/__control/state":
			return json({
				topics: Object.fromEntries([...(state.topics.get(groupId) ?? [])].map(([id, t]) => [id, t.name])),
				group: state.groups.get(groupId) ?? null,
			});
		case "/__control/script":
			state.scripts.set(`${groupId}\n${String(body.command)}`, body.answers);
			return ok();
		case "/__control/verify-usersig":
			return json({
				problem: userSigProblem(String(body.userSig), String(body.sdkAppId), String(body.identifier)),
			});
		case "/__control/calls":
			return json(state.calls.filter((call) => groupOf(call.body) === groupId));
		case "/__control/calls-naming":
			// Every call whose body names this text anywhere (a GroupId, a TopicId, in any field).
			return json(state.calls.filter((call) => JSON.stringify(call.body).includes(String(body.text))));
		default:
			return json({ error: "unknown control path" }, 404);
	}
}

function answer(command, body) {
	const groupId = groupOf(body);
	switch (command) {
		case "million_group_open_http_svc/modify_topic": {
			const topics = state.topics.get(groupId);
			const topicId = String(body.TopicId ?? "");
			const topic = topics?.get(topicId);
			if (!topic) return fail(10010, "topic not found");
			if (typeof body.TopicName === "string") {
				if (Buffer.byteLength(body.TopicName, "utf8") > 30) return fail(10004, "TopicName is over 30 bytes");
				topic.name = body.TopicName;
			}
			for (const [field, key] of [
				["Introduction", "introduction"],
				["Notification", "notification"],
				["FaceUrl", "faceUrl"],
			])
				if (typeof body[field] === "string") topic[key] = body[field];
			return ok();
		}
		case "million_group_open_http_svc/destroy_topic": {
			const topics = state.topics.get(groupId);
			if (!topics) return fail(10010, "group not found");
			// Per topic: 0 when deleted now, 110003 when it was deleted already (or never existed).
			const results = body.TopicIdList.map((topicId) =>
				topics.delete(topicId)
					? { TopicId: topicId, ErrorCode: 0, ErrorInfo: "" }
					: { TopicId: topicId, ErrorCode: 110003, ErrorInfo: "topic has been deleted" },
			);
			return ok({ DestroyResultItem: results });
		}
		case "million_group_open_http_svc/get_topic": {
			const topics = state.topics.get(groupId);
			if (!topics) return fail(10010, "group not found");
			const wanted = Array.isArray(body.TopicIdList) ? body.TopicIdList : [...topics.keys()];
			return ok({
				TopicAndSelfInfo: wanted.map((topicId) => {
					const topic = topics.get(topicId);
					return topic
						? { TopicInfo: topicInfo(topicId, topic), SelfInfo: {}, ErrorCode: 0, ErrorInfo: "" }
						: { TopicInfo: { TopicId: topicId }, ErrorCode: 110003, ErrorInfo: "topic has been deleted" };
				}),
			});
		}
		case "group_open_http_svc/get_group_info":
			return ok({
				GroupInfo: body.GroupIdList.map((id) => {
					const group = state.groups.get(id);
					return group
						? { GroupId: id, ErrorCode: 0, ErrorInfo: "", Type: "Community", ...group }
						: { GroupId: id, ErrorCode: 10010, ErrorInfo: "group not found" };
				}),
			});
		case "group_open_http_svc/modify_group_base_info": {
			if (typeof body.Name === "string") {
				if (Buffer.byteLength(body.Name, "utf8") > 30) return fail(10004, "Name is over 30 bytes");
				state.groupNames.set(groupId, body.Name);
				const group = state.groups.get(groupId);
				if (group) group.Name = body.Name;
			}
			const group = state.groups.get(groupId);
			for (const field of ["Introduction", "Notification", "FaceUrl"])
				if (group && typeof body[field] === "string") group[field] = body[field];
			return ok();
		}
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
	const script = state.scripts.get(`${groupOf(body)}\n${command}`);
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
		if (scripted.errorCode === 70001) state.expiredUserSigs.add(query.usersig);
	} else if (scripted?.body !== undefined) {
		answered = "scripted body";
		response = json(scripted.body);
	} else if (scripted?.raw !== undefined) {
		answered = "scripted text";
		response = new Response(scripted.raw, { status: 200, headers: { "content-type": "text/html" } });
	} else if (state.expiredUserSigs.has(query.usersig)) {
		answered = "ErrorCode 70001";
		response = fail(70001, "UserSig expired");
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
