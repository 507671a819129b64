#!/usr/bin/env node
// `npm run send -- <command> [options]`: sends one Tencent-shaped callback to a running Worker (by default
// `npm start`'s), signed like Chat signs it, and prints the answer. The bodies are Tencent's own samples,
// kept in examples/callbacks/<CallbackCommand>.json; options change the fields people usually vary.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { callbackQuery } from "../tools/lib/tencent-callback.mjs";

const root = new URL("..", import.meta.url);
const samplesDir = new URL("examples/callbacks/", root);

const HELP = `usage: npm run send -- <command> [options]

Signs a Tencent Chat callback and POSTs it to the Worker; prints the HTTP status and the answer.
<command> is a CallbackCommand, in full or short: Group.CallbackBeforeCreateTopic, BeforeCreateTopic,
before-create-topic. The body is examples/callbacks/<CallbackCommand>.json, changed by the options.

commands:
__COMMANDS__

options:
  --name TEXT        the body's Name (topic or group name)
  --topic ID         the TopicId (AfterTopicDestroyed: TopicIdList = [ID])
  --group ID         the GroupId
  --operator ID      the Operator_Account
  --body FILE        send FILE's JSON instead of the sample (the options above still apply)
  --url URL          the Worker (default http://127.0.0.1:$PORT/, PORT defaulting to 8787 like npm start)
  --sdkappid ID      SdkAppid (default: $SDKAPPID, else the first of wrangler.toml's [vars] SDKAPPID)
  --token TOKEN      callback token (default: $CALLBACK_TOKEN, else CALLBACK_TOKEN in .dev.vars);
                     empty or unset: sent without RequestTime/Sign
  --dry-run          print the request instead of sending it
  -h, --help         this text

exit status: 0 when the Worker answered 200, 1 for any other answer or no answer, 2 for a usage error.`;

/** The CallbackCommands that have a sample body, from examples/callbacks/. */
function sampleCommands() {
	return readdirSync(samplesDir)
		.filter((file) => file.endsWith(".json"))
		.map((file) => file.slice(0, -".json".length))
		.sort();
}

/** `Group.CallbackBeforeCreateTopic`, `BeforeCreateTopic` and `before-create-topic` all give `beforecreatetopic`. */
function commandKey(text) {
	return text
		.replace(/^Group\./i, "")
		.replace(/^Callback/i, "")
		.replace(/[^a-z0-9]/gi, "")
		.toLowerCase();
}

function usage(message) {
	console.error(`${message}\n(npm run send -- --help for the commands and options)`);
	process.exit(2);
}

/** KEY=VALUE lines of a dotenv-style file (as wrangler reads .dev.vars); comments and blanks skipped. */
function readDotenv(file) {
	if (!existsSync(file)) return {};
	const vars = {};
	for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
		const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (!match) continue;
		const [, name, raw] = match;
		const quoted = /^(["'])(.*)\1$/.exec(raw);
		vars[name] = quoted ? quoted[2] : raw.replace(/\s+#.*$/, "");
	}
	return vars;
}

/** The first SDKAppID of wrangler.toml's top-level `[vars] SDKAPPID`. */
function sdkAppIdFromWranglerToml() {
	const toml = readFileSync(new URL("wrangler.toml", root), "utf8");
	const vars = /^\[vars\]\s*$([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? "";
	const value = /^SDKAPPID\s*=\s*"([^"]*)"/m.exec(vars)?.[1] ?? "";
	return value.split(",")[0]?.trim() ?? "";
}

/** The sample body of `command` with the options applied. */
function callbackBody(command, values) {
	const file = values.body ?? new URL(`${command}.json`, samplesDir);
	let body;
	try {
		body = JSON.parse(readFileSync(file, "utf8"));
	} catch (error) {
		usage(`cannot read the body ${values.body ?? `examples/callbacks/${command}.json`}: ${error.message}`);
	}
	if (values.name !== undefined) body.Name = values.name;
	if (values.group !== undefined) body.GroupId = values.group;
	if (values.operator !== undefined) body.Operator_Account = values.operator;
	if (values.topic !== undefined) {
		if (Array.isArray(body.TopicIdList)) body.TopicIdList = [values.topic];
		else body.TopicId = values.topic;
	}
	return body;
}

let parsed;
try {
	parsed = parseArgs({
		allowPositionals: true,
		options: {
			name: { type: "string" },
			topic: { type: "string" },
			group: { type: "string" },
			operator: { type: "string" },
			body: { type: "string" },
			url: { type: "string" },
			sdkappid: { type: "string" },
			token: { type: "string" },
			"dry-run": { type: "boolean" },
			help: { type: "boolean", short: "h" },
		},
	});
} catch (error) {
	usage(error.message);
}
const { values, positionals } = parsed;
const commands = sampleCommands();
if (values.help) {
	console.log(HELP.replace("__COMMANDS__", commands.map((c) => `  ${c}`).join("\n")));
	process.exit(0);
}
if (positionals.length !== 1) usage(positionals.length ? "one command at a time" : "missing <command>");
const command = commands.find((c) => commandKey(c) === commandKey(positionals[0]));
if (!command) usage(`unknown command ${positionals[0]}; known: ${commands.join(", ")}`);

const devVars = readDotenv(new URL(".dev.vars", root));
const token = values.token ?? process.env.CALLBACK_TOKEN ?? devVars.CALLBACK_TOKEN ?? "";
const sdkAppId = values.sdkappid ?? process.env.SDKAPPID ?? sdkAppIdFromWranglerToml();
const base = values.url ?? `http://127.0.0.1:${process.env.PORT || 8787}/`;
const body = callbackBody(command, values);

let url;
try {
	url = new URL(base);
} catch {
	usage(`--url: not a URL: ${base}`);
}
for (const [name, value] of callbackQuery({ command, sdkAppId, token })) url.searchParams.set(name, value);
const text = JSON.stringify(body);

if (values["dry-run"]) {
	console.log(`POST ${url}`);
	console.log(text);
	process.exit(0);
}

console.log(
	`→ ${command} to ${url.origin}${url.pathname} (${token ? "signed" : "unsigned"}, SdkAppid ${sdkAppId})`,
);
let response;
try {
	response = await fetch(url, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: text,
	});
} catch (error) {
	console.error(
		`no answer from ${url.origin}: ${error.cause?.message ?? error.message} (is \`npm start\` running?)`,
	);
	process.exit(1);
}
const answer = await response.text();
console.log(`← ${response.status} ${answer}`);
try {
	const { ErrorCode } = JSON.parse(answer);
	if (response.status === 200 && command.includes("Before"))
		console.log(ErrorCode === 0 ? "allowed" : `refused (ErrorCode ${ErrorCode})`);
} catch {
	// Not JSON: the status line above says enough.
}
process.exit(response.status === 200 ? 0 : 1);
