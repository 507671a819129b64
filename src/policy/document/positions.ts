// Where things are in a policy text: a rule's path, its line and column, the first JSON syntax error, and the
// problem placed there (every refusal of a policy text names its rule and position).
import type { Result } from "../../result";

export type PathSegment = string | number;

/** Why a policy text cannot be used: a message naming the rule, its path and, when known, where it is. */
export interface PolicyProblem {
	message: string;
	/** The rule's path in the document, e.g. `names.banned[3].match`; null for the document as a whole. */
	rule: string | null;
	/** 1-based line and column in the text, when known. */
	line: number | null;
	column: number | null;
}

/** Either a value or the policy problem that prevented it: the Worker's one {@link Result} shape. */
export type Outcome<T> = Result<T, PolicyProblem>;

/**
 * Formats a path the way the docs and the decision log write rules.
 * @example rulePath(["names", "banned", 3, "match"]) // "names.banned[3].match"
 */
export function rulePath(path: readonly PathSegment[]): string {
	let out = "";
	for (const segment of path) {
		if (typeof segment === "number") out += `[${segment}]`;
		else out += out === "" ? segment : `.${segment}`;
	}
	return out;
}

/** Builds the failed outcome of a problem. */
export function problem(
	message: string,
	rule: string | null,
	where: { line: number; column: number } | null,
): { ok: false; problem: PolicyProblem } {
	return { ok: false, problem: { message, rule, line: where?.line ?? null, column: where?.column ?? null } };
}

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < offset && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: offset - lineStart + 1 };
}

/**
 * Line and column where the value at `path` starts in a JSON text (where its key starts, with `atKey`),
 * or null when the text does not have it. Only called on the error path, so simplicity beats speed.
 */
export function locateJsonPath(
	text: string,
	path: readonly PathSegment[],
	atKey = false,
): { line: number; column: number } | null {
	let i = 0;
	let lastKeyStart = -1;
	const skipSpace = () => {
		while (i < text.length && /\s/.test(text.charAt(i))) i++;
	};
	const skipString = () => {
		i++; // the opening quote
		while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === "\\" ? 2 : 1;
		i++;
	};
	const skipValue = (): void => {
		skipSpace();
		const c = text.charAt(i);
		if (c === '"') {
			skipString();
			return;
		}
		if (c === "{" || c === "[") {
			let depth = 0;
			while (i < text.length) {
				const d = text.charAt(i);
				if (d === '"') {
					skipString();
					continue;
				}
				if (d === "{" || d === "[") depth++;
				else if (d === "}" || d === "]") depth--;
				i++;
				if (depth === 0) return;
			}
			return;
		}
		while (i < text.length && !/[\s,}\]]/.test(text.charAt(i))) i++;
	};
	/** Moves `i` to the value of `segment` in the object or array starting at `i`; false when absent. */
	const enter = (segment: PathSegment): boolean => {
		skipSpace();
		const open = text.charAt(i);
		i++;
		for (let index = 0; ; index++) {
			skipSpace();
			if (text.charAt(i) === "}" || text.charAt(i) === "]") return false;
			if (open === "{") {
				if (text.charAt(i) !== '"') return false;
				lastKeyStart = i;
				skipString();
				const key = text.slice(lastKeyStart + 1, i - 1);
				skipSpace();
				i++; // the colon
				if (key === segment) return true;
			} else if (open === "[") {
				if (index === segment) return true;
			} else {
				return false;
			}
			skipValue();
			skipSpace();
			if (text.charAt(i) !== ",") return false;
			i++;
		}
	};
	for (const segment of path) if (!enter(segment)) return null;
	skipSpace();
	return lineAndColumn(text, atKey && typeof path.at(-1) === "string" ? lastKeyStart : i);
}

/**
 * Offset of the first JSON syntax error in `text`, or null. The runtime's JSON.parse message does not
 * always say where (workerd's does not), so a small strict scanner finds it.
 */
export function jsonSyntaxErrorOffset(text: string): number | null {
	let i = 0;
	const fail = (): never => {
		throw i;
	};
	const space = () => {
		while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
	};
	const literal = (word: string) => {
		if (!text.startsWith(word, i)) fail();
		i += word.length;
	};
	const string = () => {
		i++;
		for (;;) {
			if (i >= text.length) fail();
			const c = text.charCodeAt(i);
			if (c === 0x22) break;
			if (c < 0x20) fail();
			if (c === 0x5c) {
				i++;
				const e = text.charAt(i);
				if (e === "u") {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
					i += 4;
				} else if (!'"\\/bfnrt'.includes(e) || e === "") fail();
			}
			i++;
		}
		i++;
	};
	const value = (): void => {
		space();
		const c = text.charAt(i);
		if (c === "{") {
			i++;
			space();
			if (text.charAt(i) === "}") {
				i++;
				return;
			}
			for (;;) {
				space();
				if (text.charAt(i) !== '"') fail();
				string();
				space();
				if (text.charAt(i) !== ":") fail();
				i++;
				value();
				space();
				if (text.charAt(i) === ",") i++;
				else if (text.charAt(i) === "}") {
					i++;
					return;
				} else fail();
			}
		}
		if (c === "[") {
			i++;
			space();
			if (text.charAt(i) === "]") {
				i++;
				return;
			}
			for (;;) {
				value();
				space();
				if (text.charAt(i) === ",") i++;
				else if (text.charAt(i) === "]") {
					i++;
					return;
				} else fail();
			}
		}
		if (c === '"') string();
		else if (c === "t") literal("true");
		else if (c === "f") literal("false");
		else if (c === "n") literal("null");
		else number();
	};
	const number = () => {
		const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (number === null) fail();
		else i += number[0].length;
	};
	try {
		value();
		space();
		if (i < text.length) fail();
		return null;
	} catch (offset) {
		return typeof offset === "number" ? Math.min(offset, text.length) : null;
	}
}
