// @ts-check
// The moderator's console. Plain DOM, no framework: every call goes to the documented /api routes with the
// session cookie (HttpOnly, so this script never sees it) and, on state-changing calls, the CSRF token the
// session answer gives, kept in memory only. The admin token is sent once, at sign-in, and then dropped.

/** The session's CSRF token; null while signed out. */
let csrf = /** @type {string | null} */ (null);

/**
 * The app (SdkAppid) the console shows, chosen in the picker when the Worker answers for several; null with
 * one app, whose routes need no app.
 */
let chosenApp = /** @type {string | null} */ (null);

/** Routes that read or write one app's rows or policy: `?app=` in the URL, or `app` in the body. */
const APP_IN_QUERY =
	/^\/api\/(events|decisions(\/refusals)?|topics(\/[^/]+)?|groups\/[^/]+\/(topics|events)|enforcement(\/hold)?|quarantine|policy(\/versions|\/rollback)?)$/;
const APP_IN_BODY = /^\/api\/(policy\/(check|backtest)|enforcement\/(resume|discard))$/;

/**
 * The path and body of a call with the chosen app added where the route takes one.
 * @param {string} path @param {unknown} body
 */
function withApp(path, body) {
	if (chosenApp === null) return { path, body };
	const [route, query = ""] = path.split("?");
	if (APP_IN_QUERY.test(route)) {
		const params = new URLSearchParams(query);
		params.set("app", chosenApp);
		return { path: `${route}?${params}`, body };
	}
	if (APP_IN_BODY.test(route) && body && typeof body === "object")
		return { path, body: { ...body, app: chosenApp } };
	return { path, body };
}

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/**
 * An element with text content (never HTML: names come from users).
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [className]
 */
function el(tag, text, className) {
	const node = document.createElement(tag);
	if (text !== undefined) node.textContent = text;
	if (className) node.className = className;
	return node;
}

/** @param {number | null | undefined} ms */
const when = (ms) => (ms == null ? "—" : new Date(ms).toLocaleString());

/** The message of an /api error answer, whichever error shape it has. @param {any} body @param {number} status */
function errorText(body, status) {
	const error = body?.error;
	if (typeof error === "string") return error;
	if (error && typeof error.message === "string") return error.message;
	return `HTTP ${status}`;
}

class ApiError extends Error {
	/** @param {number} status @param {any} body */
	constructor(status, body) {
		super(errorText(body, status));
		this.status = status;
		this.body = body;
	}
}

/**
 * Calls an /api route (for the chosen app, see withApp); answers the parsed JSON, throws ApiError otherwise.
 * A 401 means the session ended.
 * @param {string} method @param {string} givenPath @param {unknown} [givenBody]
 */
async function api(method, givenPath, givenBody) {
	const { path, body } = withApp(givenPath, givenBody);
	/** @type {Record<string, string>} */
	const headers = { accept: "application/json" };
	if (body !== undefined) headers["content-type"] = "application/json";
	if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
	const response = await fetch(path, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
		credentials: "same-origin",
		cache: "no-store",
	});
	const json = await response.json().catch(() => null);
	if (!response.ok) {
		if (response.status === 401 && path !== "/api/session") showSignIn("Your session ended: sign in again.");
		throw new ApiError(response.status, json);
	}
	return json;
}

// ---- Sign in / out ----

/** @param {string} [message] */
function showSignIn(message) {
	csrf = null;
	byId("console").hidden = true;
	byId("who").hidden = true;
	byId("sign-in").hidden = false;
	byId("sign-in-error").textContent = message ?? "";
	input("token").focus();
}

/**
 * The app picker: shown when the Worker answers for several apps; the first is chosen until another is.
 * @param {string[]} apps
 */
function showApps(apps) {
	const picker = /** @type {HTMLSelectElement} */ (byId("app-picker"));
	byId("app-choice").hidden = apps.length < 2;
	if (apps.length < 2) {
		chosenApp = null;
		return;
	}
	picker.replaceChildren(...apps.map((app) => Object.assign(el("option", app), { value: app })));
	chosenApp = chosenApp !== null && apps.includes(chosenApp) ? chosenApp : (apps[0] ?? null);
	picker.value = chosenApp ?? "";
}

/** @param {{name: string, csrfToken: string, apps?: string[]}} session */
function showConsole(session) {
	csrf = session.csrfToken;
	showApps(session.apps ?? []);
	byId("sign-in").hidden = true;
	byId("console").hidden = false;
	byId("who").hidden = false;
	byId("who-name").textContent = `Signed in as ${session.name}`;
	route();
}

// Another app: every panel shows that app's rows and policy, loaded again as it opens.
byId("app-picker").addEventListener("change", () => {
	chosenApp = /** @type {HTMLSelectElement} */ (byId("app-picker")).value;
	byId("topic-results").replaceChildren();
	byId("timeline").hidden = true;
	opened.clear();
	route();
});

byId("sign-in-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const token = input("token");
	const name = input("sign-in-name").value.trim();
	try {
		const session = await api("POST", "/api/session", { token: token.value, ...(name ? { name } : {}) });
		token.value = "";
		showConsole(session);
	} catch (error) {
		byId("sign-in-error").textContent = error instanceof Error ? error.message : String(error);
	}
});

byId("sign-out").addEventListener("click", async () => {
	await api("DELETE", "/api/session").catch(() => undefined);
	showSignIn("Signed out.");
});

// ---- Navigation: one panel at a time, chosen by the URL's fragment ----

const PANELS = ["test", "decisions", "topics", "policy", "quarantine", "enforcement", "health"];
/** @type {Record<string, () => void>} */
const onOpen = {};
const opened = new Set();

/** Filters a fragment can carry after "?" (`#enforcement?status=held`), applied to a panel as it opens. */
/** @type {Record<string, (params: URLSearchParams) => void>} */
const onParams = {};

function route() {
	const [wanted = "", query] = location.hash.slice(1).split("?");
	const current = PANELS.includes(wanted) ? wanted : "test";
	for (const id of PANELS) byId(id).hidden = id !== current;
	for (const link of document.querySelectorAll("#tabs a")) {
		if (link.getAttribute("href") === `#${current}`) link.setAttribute("aria-current", "page");
		else link.removeAttribute("aria-current");
	}
	const params = query === undefined ? null : new URLSearchParams(query);
	if (params) onParams[current]?.(params);
	if (!opened.has(current)) {
		opened.add(current);
		onOpen[current]?.();
	} else if (params) onOpen[current]?.();
	loadHold();
}

// ---- Banners at the top of every panel: held enforcement, unsigned callbacks ----

/** What GET /api/enforcement/hold last said; null until it answered. */
let hold = /** @type {{held: number, oldestAt: number | null, caps: any, unsigned: boolean} | null} */ (null);

async function loadHold() {
	try {
		hold = await api("GET", "/api/enforcement/hold");
	} catch {
		return;
	}
	const held = hold?.held ?? 0;
	byId("hold-banner").hidden = held === 0;
	byId("hold-text").textContent =
		`${held} enforcement action${held === 1 ? " is" : "s are"} held: a cap was reached${hold?.oldestAt ? ` (oldest ${when(hold.oldestAt)})` : ""}.`;
	byId("unsigned-banner").hidden = hold?.unsigned !== true;
	byId("held-actions").hidden = held === 0;
	byId("held-count").textContent = `${held} held`;
}
window.addEventListener("hashchange", route);

// ---- Test a text ----

/**
 * The name with [start, end) marked, as nodes.
 * @param {string} name @param {number} start @param {number} end
 */
function highlighted(name, start, end) {
	const span = el("span");
	span.append(name.slice(0, start), el("mark", name.slice(start, end)), name.slice(end));
	return span;
}

/** A definition list entry. @param {HTMLElement} list @param {string} term @param {string | Node} value */
function fact(list, term, value) {
	list.append(el("dt", term));
	const dd = el("dd");
	dd.append(value);
	list.append(dd);
}

/**
 * A table body's one-line message (nothing found, or an error), spanning every column.
 * @param {HTMLTableSectionElement} body @param {string} text @param {string} [className]
 */
function messageRow(body, text, className) {
	const row = el("tr");
	const cell = el("td", text, className);
	cell.setAttribute("colspan", String(body.parentElement?.querySelectorAll("thead th").length ?? 1));
	row.append(cell);
	body.replaceChildren(row);
}

/** @param {any} result @param {string} name */
function showVerdict(result, name) {
	const box = byId("test-result");
	box.replaceChildren();
	const refused =
		result.allowed === false || (typeof result.ErrorCode === "number" && result.ErrorCode !== 0);
	const dryRunRefusal = result.dryRun && result.wouldRefuseWith;
	box.append(
		el(
			"p",
			refused
				? `Refused with ErrorCode ${result.ErrorCode}`
				: dryRunRefusal
					? `Allowed (dry run; enforce mode would refuse with ${result.wouldRefuseWith})`
					: "Allowed",
			`verdict ${refused ? "refused" : "allowed"}`,
		),
	);
	const list = el("dl", undefined, "facts");
	/** @type {any} */
	const explanation = result.explanation ?? {};
	const match = explanation.match ?? null;
	const span = match?.span;
	fact(list, "Field", result.field ?? "Name");
	fact(list, "Text", span ? highlighted(name, span.start, span.end) : name);
	fact(
		list,
		"Client sees",
		`ErrorCode ${result.ErrorCode}${result.ErrorInfo ? `, ErrorInfo "${result.ErrorInfo}"` : ""}`,
	);
	fact(list, "Rule", result.rule ?? "no rule matched");
	if (match)
		fact(
			list,
			"Matched",
			`${match.match} "${match.value}" in ${match.reading}${span ? `: "${span.text}"` : ""}`,
		);
	if (explanation.normalized !== undefined) fact(list, "Normalized", String(explanation.normalized));
	for (const exception of explanation.exceptions ?? [])
		fact(
			list,
			"Exception",
			`${exception.rule} covers "${exception.span?.text ?? ""}", excusing ${exception.excused?.rule ?? "a banned match"}`,
		);
	fact(list, "Policy", `${result.policyVersion ?? "none"} (${result.source})`);
	box.append(list);
	if (Array.isArray(explanation.readings) && explanation.readings.length > 0) {
		const details = el("details");
		details.append(el("summary", "Readings compared"));
		const readings = el("ul");
		for (const r of explanation.readings) readings.append(el("li", `${r.reading}: ${r.folded}`));
		details.append(readings);
		box.append(details);
	}
}

byId("test-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const name = input("test-name").value;
	const against = /** @type {HTMLInputElement} */ (
		document.querySelector('input[name="test-against"]:checked')
	).value;
	/** @type {Record<string, unknown>} */
	const body = {
		Operator_Account: input("test-operator").value,
		Name: name,
		CallbackCommand: input("test-kind").value,
		Field: input("test-field").value,
	};
	if (against === "draft") body.policy = /** @type {HTMLTextAreaElement} */ (byId("policy-text")).value;
	try {
		showVerdict(await api("POST", "/api/policy/check", body), name);
	} catch (error) {
		byId("test-result").replaceChildren(
			el("p", `Could not test: ${error instanceof Error ? error.message : error}`, "error"),
		);
	}
});

// ---- Decisions ----

/** The cursor of the next (older) page; null when there is none. */
let decisionsBefore = /** @type {number | null} */ (null);

/** @param {string} id */
function localTime(id) {
	const value = input(id).value;
	return value ? String(new Date(value).getTime()) : null;
}

function decisionQuery() {
	const params = new URLSearchParams({ order: "desc", limit: "50" });
	const allowed = input("filter-allowed").value;
	if (allowed) params.set("allowed", allowed);
	const operator = input("filter-operator").value.trim();
	if (operator) params.set("operator", operator);
	const rule = input("filter-rule").value.trim();
	if (rule) params.set("rule", rule);
	const since = localTime("filter-since");
	if (since) params.set("since", since);
	const until = localTime("filter-until");
	if (until) params.set("until", until);
	if (decisionsBefore !== null) params.set("before", String(decisionsBefore));
	return params;
}

/** @param {boolean} more */
async function loadDecisions(more) {
	if (!more) decisionsBefore = null;
	const body = byId("decision-table").querySelector("tbody");
	if (!body) return;
	try {
		const page = await api("GET", `/api/decisions?${decisionQuery()}`);
		if (!more) body.replaceChildren();
		for (const d of page.decisions) {
			const row = el("tr");
			row.append(
				el("td", when(d.received_at)),
				el("td", d.operator_account),
				el("td", d.field ?? "name"),
				el("td", d.name),
				el(
					"td",
					d.allowed ? "allowed" : `refused (${d.error_code})${d.dry_run ? ", dry run" : ""}`,
					d.allowed ? "allowed" : "refused",
				),
				el("td", d.rule ?? "—"),
			);
			body.append(row);
		}
		if (!more && page.decisions.length === 0) messageRow(body, "No decisions match.");
		decisionsBefore = page.next;
		byId("decisions-more").hidden = page.next === null;
	} catch (error) {
		messageRow(body, `Could not load decisions: ${error instanceof Error ? error.message : error}`, "error");
	}
}

async function loadChart() {
	const period = Number(input("chart-period").value);
	const chart = byId("chart");
	try {
		const counts = await api("GET", `/api/decisions/refusals?since=${Date.now() - period}`);
		const list = el("ul", undefined, "chart");
		const top = Math.max(1, ...counts.rules.map((/** @type {any} */ r) => r.count));
		for (const { rule, count } of counts.rules) {
			const item = el("li");
			const label = el("button", rule ?? "(fail mode)");
			label.setAttribute("type", "button");
			label.title = "Show these refusals";
			label.addEventListener("click", () => {
				input("filter-rule").value = rule ?? "";
				input("filter-allowed").value = "false";
				loadDecisions(false);
			});
			const track = el("span", undefined, "bar-track");
			const fill = el("span", `${count}`, "bar-fill");
			fill.style.width = `${Math.max(3, (count / top) * 100)}%`;
			fill.setAttribute("aria-label", `${count} refusals`);
			track.append(fill);
			item.append(label, track);
			list.append(item);
		}
		chart.replaceChildren(
			el("p", `${counts.total} refusal${counts.total === 1 ? "" : "s"} since ${when(counts.since)}`),
			list,
		);
	} catch (error) {
		chart.replaceChildren(
			el("p", `Could not count refusals: ${error instanceof Error ? error.message : error}`, "error"),
		);
	}
}

onOpen.decisions = () => {
	loadChart();
	loadDecisions(false);
};
input("chart-period").addEventListener("change", loadChart);
byId("decision-filters").addEventListener("submit", (event) => {
	event.preventDefault();
	loadDecisions(false);
});
byId("decisions-more").addEventListener("click", () => loadDecisions(true));

// ---- Topics and groups ----

let timelineTopic = /** @type {string | null} */ (null);
let timelineAfter = /** @type {number | null} */ (null);

/** What an event changed, in a few words. @param {any} event */
function eventDetails(event) {
	const p = event.payload ?? {};
	if (event.command.endsWith("AfterCreateTopic")) return `created "${p.Name ?? p.TopicName ?? ""}"`;
	if (event.command.endsWith("AfterTopicInfoChanged")) {
		const changes = Object.entries(p)
			.filter(
				([key]) =>
					!["CallbackCommand", "GroupId", "TopicId", "Operator_Account", "EventTime", "Type"].includes(key),
			)
			.map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
		return changes.join("; ") || "profile changed";
	}
	if (event.command.endsWith("AfterTopicDestroyed")) return "destroyed";
	if (event.command.endsWith("AfterGroupDestroyed")) return "community disbanded";
	return "";
}

/** @param {string} command */
const eventName = (command) =>
	command.replace(/^Group\.CallbackAfter/, "").replace(/([a-z])([A-Z])/g, "$1 $2");

/** @param {boolean} more */
async function loadTimeline(more) {
	if (timelineTopic === null) return;
	const body = byId("timeline-table").querySelector("tbody");
	if (!body) return;
	const params = new URLSearchParams({ limit: "20", after: String(more ? (timelineAfter ?? 0) : 0) });
	try {
		const data = await api("GET", `/api/topics/${encodeURIComponent(timelineTopic)}?${params}`);
		if (!more) {
			body.replaceChildren();
			const state = byId("topic-state");
			state.replaceChildren();
			const t = data.topic ?? {};
			fact(state, "Topic", timelineTopic);
			fact(state, "Name", t.name ?? "—");
			fact(state, "Introduction", t.introduction || "—");
			fact(state, "Notification", t.notification || "—");
			fact(state, "Face URL", t.face_url || "—");
			fact(state, "Community", t.group_id ?? "—");
			fact(state, "Created", `${when(t.created_at)} by ${t.created_by ?? "?"}`);
			fact(state, "Status", t.deleted_at ? `destroyed ${when(t.deleted_at)}` : "alive");
		}
		for (const event of data.events) {
			const row = el("tr");
			row.append(
				el("td", when(event.event_time ?? event.received_at)),
				el("td", eventName(event.command)),
				el("td", event.operator_account ?? "—"),
				el("td", eventDetails(event)),
			);
			body.append(row);
		}
		timelineAfter = data.next;
		byId("timeline-more").hidden = data.next === null;
		byId("timeline").hidden = false;
	} catch (error) {
		messageRow(
			body,
			`Could not load the timeline: ${error instanceof Error ? error.message : error}`,
			"error",
		);
	}
}

byId("topic-search").addEventListener("submit", async (event) => {
	event.preventDefault();
	const results = byId("topic-results");
	try {
		const found = await api(
			"GET",
			`/api/topics?${new URLSearchParams({ search: input("topic-query").value.trim() })}`,
		);
		results.replaceChildren();
		if (found.topics.length === 0) results.append(el("li", "No topic matches."));
		for (const topic of found.topics) {
			const item = el("li");
			const open = el(
				"button",
				`${topic.name ?? "(no name)"} — ${topic.topic_id}${topic.deleted_at ? " (destroyed)" : ""}`,
			);
			open.setAttribute("type", "button");
			open.addEventListener("click", () => {
				timelineTopic = topic.topic_id;
				loadTimeline(false).then(() => byId("timeline-title").focus());
			});
			item.append(open);
			results.append(item);
		}
		if (found.more) results.append(el("li", "More topics match: refine the search."));
	} catch (error) {
		results.replaceChildren(
			el("li", `Could not search: ${error instanceof Error ? error.message : error}`, "error"),
		);
	}
});
byId("timeline-title").tabIndex = -1;
byId("timeline-more").addEventListener("click", () => loadTimeline(true));

// ---- Policy editor ----

const editor = /** @type {HTMLTextAreaElement} */ (byId("policy-text"));
/** The live value as loaded: its text and hash (for the publish's conflict check). */
let live = { text: "", hash: /** @type {string | null} */ (null) };
let draftValid = false;
let validateTimer = 0;
let validating = 0;

/**
 * A line diff (longest common subsequence) of two texts, as [kind, line] with kind " ", "+" or "-".
 * @param {string} before @param {string} after
 */
function lineDiff(before, after) {
	const a = before.split("\n");
	const b = after.split("\n");
	// Common head and tail first, so a small edit in a large document stays cheap.
	let head = 0;
	while (head < a.length && head < b.length && a[head] === b[head]) head++;
	let tail = 0;
	while (
		tail < a.length - head &&
		tail < b.length - head &&
		a[a.length - 1 - tail] === b[b.length - 1 - tail]
	)
		tail++;
	const x = a.slice(head, a.length - tail);
	const y = b.slice(head, b.length - tail);
	/** @type {[string, string][]} */
	const out = [];
	if (x.length * y.length > 4_000_000) {
		for (const line of x) out.push(["-", line]);
		for (const line of y) out.push(["+", line]);
	} else {
		const table = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
		for (let i = x.length - 1; i >= 0; i--)
			for (let j = y.length - 1; j >= 0; j--)
				table[i][j] = x[i] === y[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
		let i = 0;
		let j = 0;
		while (i < x.length || j < y.length) {
			if (i < x.length && j < y.length && x[i] === y[j]) {
				out.push([" ", x[i]]);
				i++;
				j++;
			} else if (i < x.length && (j === y.length || table[i + 1][j] >= table[i][j + 1]))
				out.push(["-", x[i++]]);
			else out.push(["+", y[j++]]);
		}
	}
	return { head, tail, lines: out };
}

function showDiff() {
	const pre = byId("policy-diff");
	if (editor.value === live.text) {
		pre.textContent = "No changes.";
		return;
	}
	const { head, lines } = lineDiff(live.text, editor.value);
	pre.replaceChildren(el("span", `@@ from line ${head + 1} @@\n`));
	for (const [kind, line] of lines)
		pre.append(el("span", `${kind} ${line}\n`, kind === "+" ? "add" : kind === "-" ? "del" : ""));
}

/** Selects a line of the editor (1-based), so "line 12" in an error takes the cursor there. @param {number} line */
function goToLine(line) {
	const lines = editor.value.split("\n");
	const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
	editor.focus();
	editor.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
}

function updatePublish() {
	/** @type {HTMLButtonElement} */ (byId("policy-publish")).disabled =
		!draftValid || editor.value === live.text;
}

async function validateDraft() {
	const ticket = ++validating;
	const status = byId("policy-status");
	let answer;
	try {
		answer = await api("POST", "/api/policy/validate", { policy: editor.value });
	} catch (error) {
		if (ticket === validating)
			status.replaceChildren(
				el("p", `Could not validate: ${error instanceof Error ? error.message : error}`, "error"),
			);
		return;
	}
	if (ticket !== validating) return;
	draftValid = answer.valid;
	if (answer.valid) {
		const banned = answer.summary?.topics?.names?.banned;
		status.replaceChildren(
			el(
				"p",
				`Valid${answer.version ? `: version ${answer.version}` : ""}${banned === undefined ? "" : `, ${banned} banned entries`}.`,
				"ok",
			),
		);
	} else {
		const p = answer.problem;
		const line = el("p", undefined, "error");
		line.append(el("strong", "Invalid: "));
		if (p.line) {
			const jump = el(
				"button",
				`line ${p.line}${p.column ? `, column ${p.column}` : ""}`,
				"secondary problem-line",
			);
			jump.setAttribute("type", "button");
			jump.addEventListener("click", () => goToLine(p.line));
			line.append(jump, " ");
		}
		line.append(p.message);
		status.replaceChildren(line);
	}
	updatePublish();
}

editor.addEventListener("input", () => {
	draftValid = false;
	updatePublish();
	showDiff();
	clearTimeout(validateTimer);
	validateTimer = window.setTimeout(validateDraft, 250);
});

async function loadLivePolicy() {
	const answer = await api("GET", "/api/policy");
	live = { text: answer.text ?? "", hash: answer.hash };
	editor.value = live.text;
	// An app without a policy of its own is decided by the shared one: the editor starts from it.
	const shared =
		answer.text === null && chosenApp !== null
			? await fetch("/api/policy", { headers: { accept: "application/json" }, credentials: "same-origin" })
					.then((response) => response.json())
					.catch(() => null)
			: null;
	if (shared?.text) editor.value = shared.text;
	const current = answer.current;
	byId("policy-live").textContent =
		answer.text === null
			? chosenApp === null
				? "No policy in KV yet."
				: `App ${chosenApp} has no policy of its own: the shared one (the KV key "policy") decides for it. Publishing here gives it its own (the key "policy:${chosenApp}").`
			: `Live${chosenApp === null ? "" : ` for app ${chosenApp}`}: ${answer.version ?? "no version field"}${answer.valid ? "" : " (INVALID: the Worker keeps the last good one)"}${current ? `, published by ${current.published_by} ${when(current.published_at)}` : ", edited outside the console"}.`;
	showDiff();
	await validateDraft();
}

async function loadVersions() {
	const body = byId("version-table").querySelector("tbody");
	if (!body) return;
	const { versions } = await api("GET", "/api/policy/versions?limit=20");
	body.replaceChildren();
	const rollback = /** @type {HTMLButtonElement} */ (byId("policy-rollback"));
	const previous = versions.find((/** @type {any} */ v) => v.hash !== live.hash);
	rollback.hidden = !previous;
	if (previous) {
		rollback.textContent = `Roll back to #${previous.id} (${previous.version ?? previous.hash.slice(0, 8)})`;
		rollback.dataset.to = String(previous.id);
	}
	for (const version of versions) {
		const row = el("tr");
		const restore = el("button", version.hash === live.hash ? "live" : "Restore", "secondary");
		restore.setAttribute("type", "button");
		restore.setAttribute("aria-label", `Restore version #${version.id}`);
		/** @type {HTMLButtonElement} */ (restore).disabled = version.hash === live.hash;
		restore.addEventListener("click", () => restoreVersion(version.id));
		const action =
			version.action === "rollback"
				? ` (restored #${version.restored_from})`
				: version.action === "hand-edit"
					? " (hand edit)"
					: "";
		const cell = el("td");
		cell.append(restore);
		row.append(
			el("td", `#${version.id}`),
			el("td", when(version.published_at)),
			el("td", version.published_by + action),
			el("td", version.version ?? version.hash.slice(0, 12)),
			cell,
		);
		body.append(row);
	}
}

/**
 * After a publication: asks the live policy (as callbacks would see it) until it is the published one,
 * since each Worker isolate picks up a KV change on its own schedule.
 * @param {string} hash @param {string | null} version
 */
async function confirmLive(hash, version) {
	const result = byId("policy-result");
	const started = Date.now();
	const label = version ?? `sha256:${hash.slice(0, 12)}`;
	while (Date.now() - started < 90_000) {
		const check = await api("POST", "/api/policy/check", {
			Operator_Account: "console",
			Name: "console live check",
		}).catch(() => null);
		if (check && check.policyVersion === label) {
			result.textContent = `Published ${label}: live, answering callbacks (after ${Math.round((Date.now() - started) / 1000)} s).`;
			result.className = "ok";
			return;
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	result.textContent = `Published ${label}; this Worker has not used it yet (KV can take 60 s to reach every location).`;
}

/** @param {() => Promise<any>} write */
async function publishWith(write) {
	const result = byId("policy-result");
	result.className = "";
	result.textContent = "Publishing…";
	try {
		const answer = await write();
		result.textContent = `Published #${answer.published.id}. Waiting for the Worker to use it…`;
		await loadLivePolicy();
		await loadVersions();
		await confirmLive(answer.published.hash, answer.published.version);
	} catch (error) {
		result.className = "error";
		result.textContent = `Not published: ${error instanceof Error ? error.message : error}`;
	}
}

/** @param {any} hit a row of the backtest's `refused` (snake_case, as the API answers) */
const backtestLine = (hit) =>
	el(
		"li",
		`${hit.field && hit.field !== "name" ? `${hit.field}: ` : ""}${hit.name} — ${hit.topic_id ?? `community ${hit.group_id}`} (${hit.rule ?? "operator rule"}, ${hit.error_code})`,
	);

/** What the backtest judges (the selector): "topics" or "groups" (communities), and its word on screen. */
const backtestTarget = () => {
	const target = input("backtest-target").value === "groups" ? "groups" : "topics";
	return { target, word: target === "groups" ? "communities" : "topics" };
};

/** The live policy's backtest page on screen, with its preview; null when none is (or a draft's is). */
let livePreview =
	/** @type {{after: string | null, target: string, token: string, counts: Record<string, number>, next: string | null} | null} */ (
		null
	);

function clearBacktest() {
	livePreview = null;
	byId("backtest-apply-box").hidden = true;
	byId("backtest-apply-result").textContent = "";
}

/** Which live topics the draft would refuse: the first pages, read-only (a draft is never applied). */
async function backtestDraft() {
	clearBacktest();
	const box = byId("backtest-result");
	const { target, word } = backtestTarget();
	box.replaceChildren(el("p", "Backtesting…"));
	/** @type {any[]} */
	const refused = [];
	let scanned = 0;
	let after = /** @type {string | null} */ (null);
	try {
		for (let pageNo = 0; pageNo < 20; pageNo++) {
			const answer = await api("POST", "/api/policy/backtest", {
				policy: editor.value,
				target,
				...(after ? { after } : {}),
			});
			refused.push(...answer.refused);
			scanned += answer.scanned;
			after = answer.next;
			if (after === null) break;
		}
	} catch (error) {
		box.replaceChildren(
			el("p", `Could not backtest: ${error instanceof Error ? error.message : error}`, "error"),
		);
		return;
	}
	const list = el("ul");
	for (const hit of refused.slice(0, 200)) list.append(backtestLine(hit));
	box.replaceChildren(
		el(
			"p",
			`The draft would refuse ${refused.length} of ${scanned} live ${word}${after === null ? "" : " scanned so far"}.`,
		),
		el("p", "This is a draft: publish it first to apply it.", "hint"),
		list,
	);
}

/** @param {Record<string, number>} counts */
const countsText = (counts) =>
	`${counts.destroy ?? 0} destroy, ${counts.rename ?? 0} rename, ${counts.revert ?? 0} revert, ${counts.log ?? 0} log only${counts.clear ? `, ${counts.clear} clear` : ""}`;

/**
 * One page of the live policy's backtest, with the preview its Apply needs (a token bound to the live
 * policy and to these counts, good for 10 minutes).
 * @param {string | null} after
 */
async function backtestLive(after) {
	clearBacktest();
	const box = byId("backtest-result");
	box.replaceChildren(el("p", "Backtesting the live policy…"));
	const { target, word } = backtestTarget();
	let answer;
	try {
		answer = await api("POST", "/api/policy/backtest", after ? { after, target } : { target });
	} catch (error) {
		box.replaceChildren(
			el("p", `Could not backtest: ${error instanceof Error ? error.message : error}`, "error"),
		);
		return;
	}
	const list = el("ul");
	for (const hit of answer.refused.slice(0, 200)) list.append(backtestLine(hit));
	const preview = answer.preview ?? null;
	box.replaceChildren(
		el(
			"p",
			`The live policy (${answer.policyVersion}) refuses ${answer.refused.length} of ${answer.scanned} live ${word} on this page${after ? "" : " (the first)"}.`,
		),
		...(preview
			? [el("p", `Applying this page would queue: ${countsText(preview.counts)}.`, "preview")]
			: []),
		list,
	);
	if (preview) {
		livePreview = { after, target, token: preview.token, counts: preview.counts, next: answer.next };
		byId("backtest-apply-box").hidden = false;
		/** @type {HTMLButtonElement} */ (byId("backtest-apply")).disabled = false;
	}
	byId("backtest-next").hidden = answer.next === null;
	byId("backtest-next").dataset.after = answer.next ?? "";
}

/** Applies the previewed page, after the moderator confirms its counts. */
async function applyBacktest() {
	const preview = livePreview;
	if (!preview) return;
	const result = byId("backtest-apply-result");
	if (!window.confirm(`Apply the live policy to this page? This queues ${countsText(preview.counts)}.`))
		return;
	/** @type {HTMLButtonElement} */ (byId("backtest-apply")).disabled = true;
	try {
		const answer = await api("POST", "/api/policy/backtest", {
			apply: true,
			target: preview.target,
			previewToken: preview.token,
			...(preview.after ? { after: preview.after } : {}),
		});
		const applied = answer.applied ?? {};
		result.className = "ok";
		result.textContent = `Applied: ${Object.entries(applied)
			.map(([key, value]) => `${key} ${typeof value === "object" ? JSON.stringify(value) : value}`)
			.join(", ")}.`;
		livePreview = null;
	} catch (error) {
		result.className = "error";
		result.textContent = `Not applied: ${error instanceof Error ? error.message : error}${error instanceof ApiError && error.status === 409 ? " Backtest again for a fresh preview." : ""}`;
		/** @type {HTMLButtonElement} */ (byId("backtest-apply")).disabled = false;
	}
	loadHold();
}
byId("policy-backtest-live").addEventListener("click", () => backtestLive(null));
byId("backtest-apply").addEventListener("click", applyBacktest);
byId("backtest-next").addEventListener("click", () =>
	backtestLive(byId("backtest-next").dataset.after || null),
);
byId("policy-backtest").addEventListener("click", backtestDraft);

/** @param {number} id */
function restoreVersion(id) {
	return publishWith(() => api("POST", "/api/policy/rollback", { to: id, baseHash: live.hash }));
}

byId("policy-publish").addEventListener("click", () =>
	publishWith(() => api("PUT", "/api/policy", { policy: editor.value, baseHash: live.hash })),
);
byId("policy-rollback").addEventListener("click", () =>
	restoreVersion(Number(byId("policy-rollback").dataset.to)),
);
byId("policy-reload").addEventListener("click", () => {
	if (editor.value !== live.text && !window.confirm("Discard the changes in the editor?")) return;
	loadLivePolicy().then(loadVersions);
});
onOpen.policy = () => {
	loadLivePolicy()
		.then(loadVersions)
		.catch((error) => {
			byId("policy-status").replaceChildren(el("p", `Could not load the policy: ${error.message}`, "error"));
		});
};
// The draft can be tested before the editor was ever opened: load it then.
for (const radio of document.querySelectorAll('input[name="test-against"]'))
	radio.addEventListener("change", () => {
		if (!opened.has("policy")) {
			opened.add("policy");
			onOpen.policy?.();
		}
	});

// ---- Quarantine ----

let quarantineAfter = /** @type {number | null} */ (null);
let quarantineOpen = /** @type {number | null} */ (null);

/** @param {any} row */
const quarantineStatus = (row) => (row.resolution ? `${row.resolution} ${when(row.resolved_at)}` : "waiting");

/** @param {boolean} more */
async function loadQuarantine(more) {
	const body = byId("quarantine-table").querySelector("tbody");
	if (!body) return;
	const params = new URLSearchParams({ status: input("quarantine-status").value, limit: "50" });
	if (more && quarantineAfter !== null) params.set("after", String(quarantineAfter));
	try {
		const page = await api("GET", `/api/quarantine?${params}`);
		if (!more) body.replaceChildren();
		for (const row of page.quarantine) {
			const tr = el("tr");
			const open = el("button", `#${row.id}`, "secondary");
			open.setAttribute("type", "button");
			open.setAttribute("aria-label", `Open quarantined callback #${row.id}`);
			open.addEventListener("click", () => openQuarantined(row.id));
			const cell = el("td");
			cell.append(open);
			tr.append(
				cell,
				el("td", when(row.received_at)),
				el("td", row.command ?? "—"),
				el("td", row.reason),
				el("td", quarantineStatus(row)),
			);
			body.append(tr);
		}
		if (!more && page.quarantine.length === 0) messageRow(body, "Nothing here.");
		quarantineAfter = page.next;
		byId("quarantine-more").hidden = page.next === null;
	} catch (error) {
		messageRow(
			body,
			`Could not load the quarantine: ${error instanceof Error ? error.message : error}`,
			"error",
		);
	}
}

/** @param {number} id */
async function openQuarantined(id) {
	const { entry, actions } = await api("GET", `/api/quarantine/${id}`);
	quarantineOpen = id;
	const facts = byId("quarantine-facts");
	facts.replaceChildren();
	fact(facts, "Received", when(entry.received_at));
	fact(facts, "Command", entry.command ?? "—");
	fact(facts, "SDKAppID", entry.sdk_app_id ?? "—");
	fact(facts, "Reason", entry.reason);
	fact(facts, "Size", `${entry.body_bytes} bytes${entry.body_truncated ? " (only the start is kept)" : ""}`);
	fact(facts, "Status", quarantineStatus(entry));
	for (const action of actions)
		fact(
			facts,
			`${action.action} ${when(action.acted_at)}`,
			`${action.outcome}${action.detail ? `: ${action.detail}` : ""}`,
		);
	byId("quarantine-body").textContent = entry.body;
	byId("quarantine-entry-title").textContent = `Quarantined callback #${id}`;
	byId("quarantine-result").textContent = "";
	byId("quarantine-entry").hidden = false;
	byId("quarantine-entry-title").focus();
}

/** @param {"replay" | "dismiss"} action */
async function actOnQuarantined(action) {
	if (quarantineOpen === null) return;
	const id = quarantineOpen;
	const result = byId("quarantine-result");
	try {
		const answer =
			action === "replay"
				? await api("POST", `/api/quarantine/${id}/replay`)
				: await api("DELETE", `/api/quarantine/${id}`);
		await openQuarantined(id);
		result.textContent = `${action === "replay" ? "Replayed" : "Dismissed"}: ${answer.outcome}.`;
	} catch (error) {
		await openQuarantined(id).catch(() => undefined);
		result.textContent = `${action === "replay" ? "Replay" : "Dismiss"} refused: ${error instanceof Error ? error.message : error}`;
	}
	loadQuarantine(false);
}

onOpen.quarantine = () => loadQuarantine(false);
input("quarantine-status").addEventListener("change", () => loadQuarantine(false));
byId("quarantine-more").addEventListener("click", () => loadQuarantine(true));
byId("quarantine-replay").addEventListener("click", () => actOnQuarantined("replay"));
byId("quarantine-dismiss").addEventListener("click", () => actOnQuarantined("dismiss"));

// ---- Enforcement ----

let enforcementAfter = /** @type {number | null} */ (null);

/** The fields of a destroyed topic's last state, as Tencent reported them, with their labels. */
const LAST_STATE_FIELDS = [
	["name", "Name"],
	["introduction", "Introduction"],
	["notification", "Notification"],
	["faceUrl", "Face URL"],
	["owner", "Owner"],
	["customData", "Custom data"],
];

/** A destroyed topic's kept state, for recreating it by hand. @param {any} state */
function lastStateView(state) {
	const details = el("details", undefined, "last-state");
	details.append(el("summary", "Last state"));
	const list = el("dl", undefined, "facts");
	for (const [key, label] of LAST_STATE_FIELDS) {
		const value = state[key];
		fact(
			list,
			label,
			value == null || value === "" ? "—" : typeof value === "string" ? value : JSON.stringify(value),
		);
	}
	details.append(list);
	return details;
}

/** A ledger row's `last_state`: an object, or its JSON text, or null. @param {any} value */
function parsedState(value) {
	if (value == null) return null;
	if (typeof value === "object") return value;
	try {
		return JSON.parse(value);
	} catch {
		return null;
	}
}

/** @param {boolean} more */
async function loadEnforcement(more) {
	const body = byId("enforcement-table").querySelector("tbody");
	if (!body) return;
	const params = new URLSearchParams({ limit: "50" });
	const status = input("enforcement-status").value;
	if (status) params.set("status", status);
	if (more && enforcementAfter !== null) params.set("after", String(enforcementAfter));
	try {
		const page = await api("GET", `/api/enforcement?${params}`);
		if (!more) body.replaceChildren();
		for (const a of page.actions) {
			const tr = el("tr");
			const what = el(
				"td",
				a.new_name ? `${a.action}: "${a.old_name}" → "${a.new_name}"` : `${a.action}: "${a.old_name}"`,
			);
			const state = parsedState(a.last_state);
			if (state) what.append(lastStateView(state));
			// A reason may already start with the status ("held: the cap of …"): it is not said twice.
			const reason = a.reason?.startsWith(`${a.status}: `) ? a.reason.slice(a.status.length + 2) : a.reason;
			const outcome = `${a.status}${a.error_code ? ` (${a.error_code}${a.error_info ? ` ${a.error_info}` : ""})` : ""}${reason ? `: ${reason}` : ""}`;
			const buttons = el("td");
			if (a.status === "held") {
				for (const [verb, label] of [
					["resume", "Resume"],
					["discard", "Discard"],
				]) {
					const button = el("button", label, verb === "discard" ? "secondary" : "");
					button.setAttribute("type", "button");
					button.setAttribute("aria-label", `${label} action #${a.id}`);
					button.addEventListener("click", () => actOnHeld(verb, { ids: [a.id] }));
					buttons.append(button);
				}
			}
			tr.append(
				el("td", `#${a.id}`),
				el("td", when(a.updated_at)),
				el("td", a.topic_id ?? a.group_id),
				el("td", a.field ?? "name"),
				what,
				el("td", outcome, a.status === "failed" ? "refused" : a.status === "held" ? "held" : ""),
				el("td", a.requested_by ?? "—"),
				el("td", a.confirmed_name ?? "—"),
				el("td", String(a.attempts)),
				el("td", a.rule ?? "—"),
				buttons,
			);
			body.append(tr);
		}
		if (!more && page.actions.length === 0) messageRow(body, "No enforcement actions.");
		enforcementAfter = page.next;
		byId("enforcement-more").hidden = page.next === null;
	} catch (error) {
		messageRow(body, `Could not load the ledger: ${error instanceof Error ? error.message : error}`, "error");
	}
}

/**
 * Resumes or discards held actions: some by id, or all of them (after a confirmation).
 * @param {string} verb "resume" or "discard" @param {{ids: number[]} | {all: true}} which
 */
async function actOnHeld(verb, which) {
	const result = byId("enforcement-result");
	if ("all" in which) {
		const held = hold?.held ?? 0;
		const question =
			verb === "resume"
				? `Resume all ${held} held actions? Each is checked with Tencent again, then carried out.`
				: `Discard all ${held} held actions? None of them will be carried out.`;
		if (!window.confirm(question)) return;
	}
	try {
		const answer = await api("POST", `/api/enforcement/${verb}`, which);
		result.className = "ok";
		result.textContent =
			verb === "resume" ? `Resumed ${answer.resumed} action(s).` : `Discarded ${answer.discarded} action(s).`;
	} catch (error) {
		result.className = "error";
		result.textContent = `Could not ${verb}: ${error instanceof Error ? error.message : error}`;
	}
	await loadHold();
	await loadEnforcement(false);
}

onOpen.enforcement = () => loadEnforcement(false);
onParams.enforcement = (params) => {
	const status = params.get("status");
	if (status !== null) input("enforcement-status").value = status;
};
input("enforcement-status").addEventListener("change", () => loadEnforcement(false));
byId("enforcement-more").addEventListener("click", () => loadEnforcement(true));
byId("resume-all").addEventListener("click", () => actOnHeld("resume", { all: true }));
byId("discard-all").addEventListener("click", () => actOnHeld("discard", { all: true }));

// ---- Health ----

async function loadHealth() {
	const list = byId("health-facts");
	try {
		const response = await fetch("/healthz", { cache: "no-store" });
		const health = await response.json();
		const policy = health.policy ?? {};
		list.replaceChildren();
		fact(list, "Overall", health.status ?? `HTTP ${response.status}`);
		fact(list, "Policy version", policy.version ?? "none");
		fact(
			list,
			"Policy source",
			policy.source === "last-known-good"
				? "last known good (the live value is broken)"
				: (policy.source ?? "?"),
		);
		fact(list, "Policy loaded", policy.loadedAt ?? "—");
		// Several apps: each app's policy, and the key it is read from (its own, or the shared one).
		for (const [app, own] of Object.entries(policy.apps ?? {}))
			fact(
				list,
				`Policy of app ${app}`,
				`${own.version ?? "none"} (${own.source === "last-known-good" ? "last known good" : own.source}, key ${own.key})`,
			);
		fact(list, "Last error", policy.error?.message ?? policy.kvError ?? "none");
		fact(list, "Fail mode", policy.failMode ?? "?");
		fact(list, "KV", health.kv?.ok ? `ok (${health.kv.ms} ms)` : `failing: ${health.kv?.error}`);
		fact(list, "D1", health.d1?.ok ? `ok (${health.d1.ms} ms)` : `failing: ${health.d1?.error}`);
		fact(list, "Queue depth", health.queue?.depth ?? "not reported by Cloudflare to the Worker");
		fact(list, "Callback auth", health.auth?.mode ?? "?");
		fact(
			list,
			"Enforcement",
			health.enforcement
				? `REST API ${health.enforcement.restApi}${health.enforcement.warning ? `: ${health.enforcement.warning}` : ""}`
				: "?",
		);
		fact(list, "Worker version", health.version ?? "?");
	} catch (error) {
		list.replaceChildren(
			el("dd", `Could not reach /healthz: ${error instanceof Error ? error.message : error}`, "error"),
		);
	}
}
onOpen.health = loadHealth;
byId("health-refresh").addEventListener("click", loadHealth);

// ---- Start: resume a session if the cookie still holds one ----

api("GET", "/api/session").then(showConsole, () => showSignIn());
