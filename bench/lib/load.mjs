#!/usr/bin/env node
// One autocannon run against a callback URL, in its own process so the load generator does not share an
// event loop with the servers' side. Usage: node bench/lib/load.mjs '<json options>'; prints one JSON line.
// Options: url, scenario (a label), body ("before": one fixed BeforeCreateTopic body; "after": an
// AfterCreateTopic body with a new topic each request), query (extra query parameters), connections,
// seconds, token, sdkAppId, runId.
import autocannon from "autocannon";
import { callbackQuery } from "../../tools/lib/tencent-callback.mjs";

const options = JSON.parse(process.argv[2] ?? "{}");
const { url, scenario, body, query = {}, connections, seconds, token, sdkAppId, runId } = options;

const BEFORE_BODY = JSON.stringify({
	CallbackCommand: "Group.CallbackBeforeCreateTopic",
	Operator_Account: "leckie",
	Type: "Community",
	Name: "MyFirstTopic",
});
const command = body === "after" ? "Group.CallbackAfterCreateTopic" : "Group.CallbackBeforeCreateTopic";

/** The query string Tencent sends, signed as Tencent signs it; signed once per second, as RequestTime changes. */
let signedSecond = 0;
let signedPath = "";
function currentPath() {
	const second = Math.floor(Date.now() / 1000);
	if (second !== signedSecond) {
		signedSecond = second;
		const params = callbackQuery({ command, sdkAppId, token, requestTime: second });
		for (const [name, value] of Object.entries(query)) params.set(name, value);
		signedPath = `/?${params}`;
	}
	return signedPath;
}

/** A new topic per request: the after-callback writes a new event row and a new topic row each time. */
let topicCounter = 0;
function afterBody() {
	topicCounter++;
	return JSON.stringify({
		CallbackCommand: "Group.CallbackAfterCreateTopic",
		GroupId: "@TGS#_@TGS#benchGroup",
		TopicId: `@TGS#_@TGS#benchGroup@TOPIC#_${runId}_${topicCounter}`,
		Operator_Account: "group_root",
		Owner_Account: "leckie",
		Type: "Community",
		Name: `Topic ${topicCounter}`,
		EventTime: Date.now(),
	});
}

// When the bench is stopped first, nobody reads the answer: that is not an error.
process.stdout.on("error", () => process.exit(0));

const latencies = [];
const instance = autocannon({
	url,
	connections,
	duration: seconds,
	timeout: 10,
	method: "POST",
	headers: { "content-type": "application/json" },
	requests: [
		{
			setupRequest(request) {
				request.path = currentPath();
				request.body = body === "after" ? afterBody() : BEFORE_BODY;
				return request;
			},
		},
	],
});
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
	if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});

const result = await instance;
const sorted = Float64Array.from(latencies).sort();
const percentile = (p) =>
	sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const completed = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
process.stdout.write(
	`${JSON.stringify({
		scenario,
		connections,
		seconds: result.duration,
		requests: completed,
		ok: result["2xx"],
		rps: completed / result.duration,
		p50: percentile(0.5),
		p99: percentile(0.99),
		errors: result.errors,
		timeouts: result.timeouts,
		non2xx: result.non2xx,
		statusCodes: result.statusCodeStats,
		topicsSent: body === "after" ? topicCounter : 0,
	})}\n`,
);
