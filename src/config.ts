// The Worker's vars and secrets, parsed and validated once per isolate; everything else reads the
// typed `Config`. Bindings (KV, D1, Queues, R2, the rate limiter) stay on `env`: they are objects, not text.
import { log } from "./log";

/** Secrets are optional and absent from wrangler.toml, so `wrangler types` cannot see them. */
interface Secrets {
	/** Tencent console callback token; unset means no signature check. */
	CALLBACK_TOKEN?: string;
	/** The previous token, still accepted while the console's token is being changed. */
	CALLBACK_TOKEN_PREVIOUS?: string;
	/** Bearer token for /api/; unset turns the API off, a weak one is refused (see ADMIN_TOKEN_RULE). */
	ADMIN_TOKEN?: string;
	/** The Chat app's key (console: Basic configuration); unset keeps enforcement at "log". */
	TENCENT_SECRET_KEY?: string;
	/** Milliseconds one REST call may take (default 5000); a tuning knob, not in wrangler.toml. */
	TENCENT_TIMEOUT_MS?: string;
}

declare global {
	interface Env extends Secrets {}
	namespace Cloudflare {
		interface Env extends Secrets {}
	}
}

/** The shortest ADMIN_TOKEN accepted. */
export const ADMIN_TOKEN_MIN_LENGTH = 32;
/** The fewest different characters an ADMIN_TOKEN must hold (refuses `aaaa…` and `abab…`). */
export const ADMIN_TOKEN_MIN_DISTINCT = 10;
/** The strength rule, as said in every refusal and in docs/security.md. */
export const ADMIN_TOKEN_RULE = `at least ${ADMIN_TOKEN_MIN_LENGTH} characters, at least ${ADMIN_TOKEN_MIN_DISTINCT} of them different, no whitespace (e.g. \`openssl rand -base64 32\`)`;

/** Whether `token` meets {@link ADMIN_TOKEN_RULE}. */
export function strongAdminToken(token: string): boolean {
	return (
		token.length >= ADMIN_TOKEN_MIN_LENGTH &&
		new Set(token).size >= ADMIN_TOKEN_MIN_DISTINCT &&
		!/\s/.test(token)
	);
}

/** What a variable's value is needed for: a problem with it shuts exactly these down (fail closed). */
export type ConfigUse = "callbacks" | "api" | "enforcement" | "retention";

/** A var or secret whose value is not valid: the variable, a sentence naming it, and what it stops. */
export interface ConfigProblem {
	variable: string;
	message: string;
	uses: readonly ConfigUse[];
}

/** What a variable's text reads as: its typed value, or the end of a sentence saying what it must be. */
type Read<T> = { ok: true; value: T } | { ok: false; message: string };
const valid = <T>(value: T): Read<T> => ({ ok: true, value });
const invalid = (message: string): Read<never> => ({ ok: false, message });

/**
 * A variable: what it is used for, its text when unset or empty, and how its text is read. Plain functions
 * rather than schemas: every cold isolate reads every variable before its first answer.
 */
interface Variable<T> {
	uses: readonly ConfigUse[];
	fallback: string;
	read: (text: string) => Read<T>;
}
const variable = <T>(uses: readonly ConfigUse[], fallback: string, read: (text: string) => Read<T>) =>
	({ uses, fallback, read }) satisfies Variable<T>;

const WHOLE_NUMBER = /^[1-9][0-9]{0,14}$/;
const positiveInt = (uses: readonly ConfigUse[], fallback: number) =>
	variable(uses, String(fallback), (text) => {
		const trimmed = text.trim();
		return WHOLE_NUMBER.test(trimmed) ? valid(Number(trimmed)) : invalid("must be a positive whole number");
	});

/** One of a few words (any case, trimmed), e.g. `"open"` or `"closed"`. */
const oneOf = <const T extends readonly [string, ...string[]]>(
	uses: readonly ConfigUse[],
	values: T,
	fallback: T[number],
) =>
	variable(uses, fallback, (text): Read<T[number]> => {
		const word = text.trim().toLowerCase();
		return values.includes(word)
			? valid(word as T[number])
			: invalid(`must be ${values.map((value) => `"${value}"`).join(" or ")}`);
	});

const flag = (uses: readonly ConfigUse[]) =>
	variable(uses, "false", (text) => {
		const word = text.trim().toLowerCase();
		return word === "true" || word === "false"
			? valid(word === "true")
			: invalid('must be "true" or "false"');
	});

const regularExpression = (uses: readonly ConfigUse[]) =>
	variable(uses, "", (source): Read<RegExp | null> => {
		try {
			return valid(source === "" ? null : new RegExp(source));
		} catch {
			return invalid("is not a valid regular expression");
		}
	});

const url = (uses: readonly ConfigUse[], fallback: string) =>
	variable(uses, fallback, (text) => {
		const trimmed = text.trim();
		return /^https?:\/\//i.test(trimmed) && URL.canParse(trimmed)
			? valid(trimmed)
			: invalid("must be an http(s) URL");
	});

const secret = (uses: readonly ConfigUse[]) => variable(uses, "", (text) => valid(text));

/** Rows per retention batch, before the cap of RETENTION_BATCH_ROWS. */
const BATCH_ROWS = positiveInt(["retention"], 1_000);

/**
 * Every var and secret, what it is needed for, its default and how its text is read. An unset or empty
 * value means the default, as wrangler cannot unset a var; `TENCENT_SECRET_KEY_<SdkAppid>` are read apart.
 */
const VARIABLES = {
	SDKAPPID: variable(["callbacks", "api"], "", (list) => {
		const ids = list
			.split(",")
			.map((id) => id.trim())
			.filter((id) => id.length > 0);
		return ids.every((id) => /^[0-9]{1,20}$/.test(id))
			? valid(ids)
			: invalid("must list SDKAppIDs (digits), comma-separated");
	}),
	POLICY_FAIL_MODE: oneOf(["callbacks"], ["open", "closed"], "open"),
	EVENT_WRITES: oneOf(["callbacks"], ["direct", "queue"], "direct"),
	MAX_BODY_BYTES: positiveInt(["callbacks", "api"], 1_048_576),
	REQUEST_TIME_SKEW_SECONDS: positiveInt(["callbacks"], 60),
	ALLOW_UNSIGNED_CALLBACKS: flag(["callbacks"]),
	MTLS_REQUIRED: flag(["callbacks"]),
	MTLS_ISSUER_PATTERN: regularExpression(["callbacks"]),
	CALLBACK_TOKEN: secret(["callbacks"]),
	CALLBACK_TOKEN_PREVIOUS: secret(["callbacks"]),
	ADMIN_TOKEN: variable(["api"], "", (token) =>
		token === "" || strongAdminToken(token)
			? valid(token)
			: invalid(`is too weak: it needs ${ADMIN_TOKEN_RULE}`),
	),
	TENCENT_SECRET_KEY: secret(["enforcement"]),
	TENCENT_API_BASE: url(["enforcement"], "https://console.tim.qq.com"),
	TENCENT_ADMIN_IDENTIFIER: variable(["enforcement"], "administrator", (text) => valid(text.trim())),
	TENCENT_TIMEOUT_MS: positiveInt(["enforcement"], 5_000),
	RETENTION_DAYS: variable(["retention"], "90", (text) => {
		const trimmed = text.trim();
		return /^(0|[1-9][0-9]{0,5})$/.test(trimmed)
			? valid(Number(trimmed))
			: invalid('must be a whole number of days ("0" turns retention off)');
	}),
	RETENTION_BATCH_ROWS: variable(["retention"], "1000", (text) => {
		const rows = BATCH_ROWS.read(text);
		// Over 10,000 is read as 10,000: one batch must stay one D1 statement's worth.
		return rows.ok ? valid(Math.min(rows.value, 10_000)) : rows;
	}),
	RETENTION_MAX_BATCHES: positiveInt(["retention"], 20),
} as const;

type Variables = typeof VARIABLES;
type Values = {
	[K in keyof Variables]: ReturnType<Variables[K]["read"]> extends Read<infer T> ? T : never;
};

/** The Worker's configuration: every var and secret as a typed value, and the problems found in them. */
export interface Config {
	/** The SDKAppIDs this Worker answers for (`SDKAPPID`). */
	sdkAppIds: string[];
	/** POLICY_FAIL_MODE: what a before-callback gets when no usable policy exists. */
	failMode: "open" | "closed";
	/**
	 * How an after-callback keeps its event (`EVENT_WRITES`): `"direct"` (the default) writes D1 before the
	 * answer, the queue being the fallback; `"queue"` answers once the queue holds the event and lets its
	 * consumer write batches to D1, D1 being the fallback.
	 */
	eventWrites: "direct" | "queue";
	/** Largest accepted callback or /api body in bytes (`MAX_BODY_BYTES`, default 1 MiB). */
	maxBodyBytes: number;
	/** Allowed distance of `RequestTime` from now, in seconds (`REQUEST_TIME_SKEW_SECONDS`, default 60). */
	requestTimeSkewSeconds: number;
	/** `ALLOW_UNSIGNED_CALLBACKS="true"`: no token or mTLS needed, for local play only. */
	allowUnsignedCallbacks: boolean;
	/**
	 * The callback tokens that currently sign valid requests (`CALLBACK_TOKEN`, `CALLBACK_TOKEN_PREVIOUS`);
	 * empty means no shared token is configured.
	 */
	callbackTokens: string[];
	/**
	 * An app's own tokens by SdkAppid (`CALLBACK_TOKEN_<SdkAppid>`, `CALLBACK_TOKEN_PREVIOUS_<SdkAppid>`): when
	 * an app has one, only these sign its callbacks (see {@link callbackTokensOf}).
	 */
	callbackTokensByApp: Record<string, string[]>;
	/** `MTLS_REQUIRED` and the issuer pattern (`MTLS_ISSUER_PATTERN`; null: any issuer; invalid: matches none). */
	mutualTls: { required: boolean; issuerPattern: RegExp | null };
	/** The /api token; null when unset (the API is off) or refused as weak (see `problems`). */
	adminToken: string | null;
	/** Tencent's REST API: where, as whom, how long a call may take, and the keys. */
	tencent: {
		apiBase: string;
		identifier: string;
		timeoutMs: number;
		/** `TENCENT_SECRET_KEY`, or null. */
		secretKey: string | null;
		/** `TENCENT_SECRET_KEY_<SdkAppid>` by SdkAppid. */
		secretKeys: Record<string, string>;
		/** `TENCENT_ADMIN_IDENTIFIER_<SdkAppid>` by SdkAppid. */
		identifiers: Record<string, string>;
	};
	/** Retention: days kept (0: off), rows per batch, batches per run. */
	retention: { days: number; batchRows: number; maxBatches: number };
	/** Every invalid var, in the order above; each shuts down what it is used for. */
	problems: ConfigProblem[];
}

/** Parses every variable in `env` (see VARIABLES); an invalid one gets its default and a problem. */
export function parseConfig(env: Env): Config {
	const raw = env as unknown as Record<string, unknown>;
	const values = {} as Record<string, unknown>;
	const problems: ConfigProblem[] = [];
	for (const [name, { uses, fallback, read }] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
		const given = raw[name];
		// An empty value is the default: wrangler and the test pool cannot unset a var, only empty it.
		const result: Read<unknown> =
			given === undefined || given === ""
				? read(fallback)
				: typeof given === "string"
					? read(given)
					: invalid("must be text");
		if (result.ok) {
			values[name] = result.value;
		} else {
			problems.push({ variable: name, message: `${name} ${result.message}`, uses });
			values[name] = (read(fallback) as { value: unknown }).value;
		}
	}
	const typed = values as Values;
	// One pass over the names, reading only the values of per-app variables (the env also holds bindings).
	const appNames = Object.keys(raw).filter((name) => PER_APP_NAME.test(name));
	const secretKeys = perApp(raw, appNames, "TENCENT_SECRET_KEY_");
	const identifiers = perApp(raw, appNames, "TENCENT_ADMIN_IDENTIFIER_", (value) => value.trim());
	const current = perApp(raw, appNames, "CALLBACK_TOKEN_");
	const previous = perApp(raw, appNames, "CALLBACK_TOKEN_PREVIOUS_");
	const callbackTokensByApp: Record<string, string[]> = {};
	for (const app of new Set([...Object.keys(current), ...Object.keys(previous)]))
		callbackTokensByApp[app] = [current[app], previous[app]].filter((token) => token !== undefined);
	const adminProblem = problems.some((problem) => problem.variable === "ADMIN_TOKEN");
	return {
		sdkAppIds: typed.SDKAPPID,
		failMode: typed.POLICY_FAIL_MODE,
		eventWrites: typed.EVENT_WRITES,
		maxBodyBytes: typed.MAX_BODY_BYTES,
		requestTimeSkewSeconds: typed.REQUEST_TIME_SKEW_SECONDS,
		allowUnsignedCallbacks: typed.ALLOW_UNSIGNED_CALLBACKS,
		callbackTokens: [typed.CALLBACK_TOKEN, typed.CALLBACK_TOKEN_PREVIOUS].filter((token) => token.length > 0),
		callbackTokensByApp,
		mutualTls: {
			required: typed.MTLS_REQUIRED,
			// An invalid pattern matches no issuer: a broken security setting fails closed wherever it is read.
			issuerPattern: problems.some((problem) => problem.variable === "MTLS_ISSUER_PATTERN")
				? /(?!)/
				: typed.MTLS_ISSUER_PATTERN,
		},
		adminToken: adminProblem || typed.ADMIN_TOKEN === "" ? null : typed.ADMIN_TOKEN,
		tencent: {
			apiBase: typed.TENCENT_API_BASE,
			identifier: typed.TENCENT_ADMIN_IDENTIFIER === "" ? "administrator" : typed.TENCENT_ADMIN_IDENTIFIER,
			timeoutMs: typed.TENCENT_TIMEOUT_MS,
			secretKey: typed.TENCENT_SECRET_KEY === "" ? null : typed.TENCENT_SECRET_KEY,
			secretKeys,
			identifiers,
		},
		retention: {
			days: typed.RETENTION_DAYS,
			batchRows: typed.RETENTION_BATCH_ROWS,
			maxBatches: typed.RETENTION_MAX_BATCHES,
		},
		problems,
	};
}

/** The names of the per-app variables: a prefix, then digits (an SdkAppid). */
const PER_APP_NAME =
	/^(TENCENT_SECRET_KEY|TENCENT_ADMIN_IDENTIFIER|CALLBACK_TOKEN|CALLBACK_TOKEN_PREVIOUS)_[0-9]+$/;

/**
 * The values of the variables named `<prefix><SdkAppid>` (among `names`) by SdkAppid, each passed through `clean`; empty
 * ones are unset (wrangler cannot unset a var, only empty it).
 */
function perApp(
	raw: Record<string, unknown>,
	names: readonly string[],
	prefix: string,
	clean: (value: string) => string = (value) => value,
): Record<string, string> {
	const values: Record<string, string> = {};
	for (const name of names) {
		if (!name.startsWith(prefix)) continue;
		const value = raw[name];
		if (typeof value !== "string") continue;
		const app = name.slice(prefix.length);
		const cleaned = clean(value);
		if (/^[0-9]{1,20}$/.test(app) && cleaned.length > 0) values[app] = cleaned;
	}
	return values;
}

/** One parse per env object: workerd hands an isolate the same `env` on every call; tests pass their own. */
const parsed = new WeakMap<object, Config>();

/**
 * The configuration of `env`, parsed on first use and then cached for the isolate. Invalid values are
 * logged once, here (never their text: a secret may be among them).
 *
 * @example
 * readConfig(env).maxBodyBytes; // 1048576
 */
export function readConfig(env: Env): Config {
	let config = parsed.get(env);
	if (config === undefined) {
		config = parseConfig(env);
		parsed.set(env, config);
		for (const problem of config.problems)
			log("error", "config.invalid", {
				variable: problem.variable,
				message: problem.message,
				stops: problem.uses,
			});
	}
	return config;
}

/**
 * POLICY_FAIL_MODE even when the rest of the env cannot be read (a getter that throws): the last answer a
 * before-callback gets must still be the configured one. An invalid value reads as "open", Tencent's default.
 */
export function failModeOf(env: Env): "open" | "closed" {
	try {
		return readConfig(env).failMode;
	} catch {
		const given = (env as unknown as Record<string, unknown>).POLICY_FAIL_MODE;
		const result = typeof given === "string" && given !== "" ? VARIABLES.POLICY_FAIL_MODE.read(given) : null;
		return result?.ok ? result.value : "open";
	}
}

/** The first problem that shuts `use` down, or null when its configuration is valid. */
export function configProblem(config: Config, use: ConfigUse): ConfigProblem | null {
	return config.problems.find((problem) => problem.uses.includes(use)) ?? null;
}

/**
 * The key for an SdkAppid's REST calls: the secret `TENCENT_SECRET_KEY_<SdkAppid>` when set (one per app
 * where several are configured), else `TENCENT_SECRET_KEY`; null when neither is set.
 */
export function tencentSecretKey(config: Config, sdkAppId: string): string | null {
	return config.tencent.secretKeys[sdkAppId] ?? config.tencent.secretKey;
}

/**
 * The tokens that sign an SdkAppid's callbacks: its own (`CALLBACK_TOKEN_<SdkAppid>`, and
 * `CALLBACK_TOKEN_PREVIOUS_<SdkAppid>` while it changes) when it has one, else the shared `CALLBACK_TOKEN`
 * pair. Each Chat app has its own token in its console: a token set per app signs only that app's callbacks.
 */
export function callbackTokensOf(config: Config, sdkAppId: string): string[] {
	return config.callbackTokensByApp[sdkAppId] ?? config.callbackTokens;
}

/** The admin account an SdkAppid's REST calls are made as: `TENCENT_ADMIN_IDENTIFIER_<SdkAppid>`, else the shared one. */
export function tencentIdentifier(config: Config, sdkAppId: string): string {
	return config.tencent.identifiers[sdkAppId] ?? config.tencent.identifier;
}

/** The app meant when none is named: the only configured SdkAppid, or null when there are several (or none). */
export function soleApp(config: Config): string | null {
	return config.sdkAppIds.length === 1 ? (config.sdkAppIds[0] as string) : null;
}
