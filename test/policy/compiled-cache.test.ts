// The compiled form of a policy as bytes: read back, it decides exactly like the policy it was written
// from; bytes that are cut, altered, from another compiler or for another document are refused.

import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto";
import { compilePolicyText } from "../../src/policy/engine/compile";
import {
	COMPILER_VERSION,
	compiledFormIntact,
	decodeCompiledPolicy,
	encodeCompiledPolicy,
} from "../../src/policy/engine/compiled-cache";
import { evaluateCreation } from "../../src/policy/engine/evaluate";
import type { CreationKind } from "../../src/policy/engine/types";

/** Every kind of rule the compiler builds: all match modes, both sides, group rules, exceptions. */
const RICH = {
	version: "compiled-cache-fixture",
	refusal: { errorCode: 10100, errorInfo: "Not allowed here" },
	operators: { allow: ["leckie", "admin", "spammer01"], deny: ["spammer01"], bypass: ["admin"] },
	names: {
		minLength: 2,
		maxLength: 40,
		allowed: ["Casino Royale book club"],
		banned: [
			"casino",
			"ｐｏｋｅｒ",
			"cаsh", // Cyrillic а
			{ match: "exact", value: "general" },
			{ match: "word", value: "bet", errorCode: 10110, errorInfo: "No bets" },
			{ match: "prefix", value: "official" },
			{ match: "suffix", value: "admin" },
			{ match: "glob", value: "*free*money*" },
			{ match: "glob", value: "*" },
			{ match: "regex", value: "^[0-9]+$", errorCode: 10101, errorInfo: "Topic names need letters" },
			{ match: "regex", value: "(?i)l[o0]tt[e3]ry" },
			{ value: "ExactCase", normalize: false },
			{ match: "regex", value: "^RAW[0-9]", normalize: false },
			"賭場",
			"jackpot",
			"roulette",
			"blackjack",
		],
	},
	groupCreation: { mode: "dry-run", names: { banned: ["poker", { match: "word", value: "spam" }] } },
};

const NAMES = [
	"MyFirstTopic",
	"Casino Royale book club",
	"CASINO night",
	"c4s1no",
	"Ｐｏｋｅｒ face",
	"cash only",
	"general",
	"general chat",
	"Place your bet",
	"alphabet",
	"official news",
	"the official",
	"room admin",
	"get free real money",
	"12345",
	"L0tt3ry",
	"ExactCase here",
	"exactcase here",
	"RAW1 data",
	"raw1 data",
	"賭場之夜",
	"x",
	"a".repeat(41),
	"spam and eggs",
	"Roulette wheel",
	"",
];

async function compiledRich() {
	const text = JSON.stringify(RICH);
	const outcome = compilePolicyText(text);
	if (!outcome.ok) throw new Error(outcome.problem.message);
	return { text, hash: await sha256Hex(text), policy: outcome.value };
}

/** The bytes again, with their header edited and the digest recomputed (as a writer of another version would). */
async function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void) {
	const align8 = (n: number) => Math.ceil(n / 8) * 8;
	const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
	const header = JSON.parse(new TextDecoder().decode(bytes.subarray(40, 40 + length)));
	edit(header);
	const headerBytes = new TextEncoder().encode(JSON.stringify(header));
	const binary = bytes.subarray(align8(40 + length));
	const out = new Uint8Array(align8(40 + headerBytes.length) + binary.length);
	out.set(bytes.subarray(0, 4));
	new DataView(out.buffer).setUint32(4, headerBytes.length, true);
	out.set(headerBytes, 40);
	out.set(binary, align8(40 + headerBytes.length));
	out.set(new Uint8Array(await crypto.subtle.digest("SHA-256", out.subarray(40))), 8);
	return out;
}

/** Adds one to the count of every joined string list in a header tree; returns how many it changed. */
function miscount(tree: unknown): number {
	let lists = 0;
	const visit = (node: unknown) => {
		if (node === null || typeof node !== "object") return;
		if (("z" in node || "zb" in node) && "n" in node) {
			(node as { n: number }).n += 1;
			lists++;
		}
		for (const child of Object.values(node)) visit(child);
	};
	visit(tree);
	return lists;
}

/** The header of a compiled form, parsed. */
function headerOf(bytes: Uint8Array): Record<string, unknown> {
	const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
	return JSON.parse(new TextDecoder().decode(bytes.subarray(40, 40 + length)));
}

describe("compiled policy as bytes", () => {
	it("decides every name like the policy it was written from", async () => {
		const { hash, policy } = await compiledRich();
		const bytes = await encodeCompiledPolicy(policy, hash);
		const read = await decodeCompiledPolicy(bytes.slice().buffer, hash);
		if (!read.ok) throw new Error(read.problem.detail);
		for (const operatorAccount of ["leckie", "admin", "spammer01", "stranger"]) {
			for (const kind of ["topic", "group"] as CreationKind[]) {
				for (const name of NAMES) {
					const request = { operatorAccount, name };
					expect(evaluateCreation(read.value, kind, request), `${kind} ${operatorAccount} ${name}`).toEqual(
						evaluateCreation(policy, kind, request),
					);
				}
			}
		}
		// The rules really are exercised: some names are refused, by different entries.
		const rules = new Set(
			NAMES.map((name) => evaluateCreation(read.value, "topic", { operatorAccount: "leckie", name }).rule),
		);
		expect(rules.size).toBeGreaterThanOrEqual(12);
		expect(read.value.topic.banned.rules).toEqual(policy.topic.banned.rules);
	});

	it("refuses bytes cut short, altered, or not a compiled policy at all", async () => {
		const { hash, policy } = await compiledRich();
		const bytes = await encodeCompiledPolicy(policy, hash);
		// The digest is checked apart from the structure (after a cold isolate's first answer): a form is
		// used only when both pass, and bytes cut or altered anywhere fail the digest.
		const reason = async (buffer: ArrayBuffer) => {
			if (!(await compiledFormIntact(buffer)) && buffer.byteLength > 40) return "corrupt";
			const read = decodeCompiledPolicy(buffer, hash);
			return read.ok ? "accepted" : read.problem.reason;
		};
		expect(await reason(bytes.slice(0, bytes.length - 8).buffer)).toBe("corrupt");
		expect(await reason(bytes.slice(0, 20).buffer)).toBe("malformed");
		const notAForm = new TextEncoder().encode(JSON.stringify(RICH)).buffer as ArrayBuffer;
		expect(decodeCompiledPolicy(notAForm, hash)).toMatchObject({
			ok: false,
			problem: { reason: "malformed" },
		});
		expect(await compiledFormIntact(notAForm)).toBe(false);
		for (const at of [9, 60, Math.floor(bytes.length / 2), bytes.length - 1]) {
			const altered = bytes.slice();
			altered[at] = (altered[at] as number) ^ 0x01;
			expect(await reason(altered.buffer), `byte ${at}`).toBe("corrupt");
		}
		expect(await reason(bytes.slice().buffer)).toBe("accepted");
		expect(await compiledFormIntact(bytes.slice(0, 20).buffer)).toBe(false);
	});

	it("refuses the compiled form of another document or of another compiler version", async () => {
		const { hash, policy } = await compiledRich();
		const bytes = await encodeCompiledPolicy(policy, hash);
		const other = await sha256Hex("{}");
		expect(await decodeCompiledPolicy(bytes.slice().buffer, other)).toMatchObject({
			ok: false,
			problem: { reason: "other-document" },
		});
		const older = await withHeader(bytes, (header) => {
			header.compiler = COMPILER_VERSION - 1;
		});
		expect(await decodeCompiledPolicy(older.buffer as ArrayBuffer, hash)).toMatchObject({
			ok: false,
			problem: { reason: "other-compiler" },
		});
		// The entries' values travel as one joined string with their count: a count that does not match is
		// refused rather than read as other entries (the UTF-8 list in the binary part when it is first read).
		const miscounted = await withHeader(bytes, (header) => {
			expect(miscount(header.tree)).toBeGreaterThan(0);
		});
		const lazily = await decodeCompiledPolicy(miscounted.buffer as ArrayBuffer, hash);
		if (!lazily.ok) throw new Error(lazily.problem.detail);
		expect(() => lazily.value.topic.banned.rules).toThrow(/string list of 17 items, not 18/);
		// Bytes of a list pointing outside the binary part are refused at once.
		const outside = await withHeader(bytes, (header) => {
			const visit = (node: unknown) => {
				if (node === null || typeof node !== "object") return;
				if ("zb" in node) (node as { zb: number }).zb = bytes.length;
				for (const child of Object.values(node)) visit(child);
			};
			visit(header.tree);
		});
		expect(await decodeCompiledPolicy(outside.buffer as ArrayBuffer, hash)).toMatchObject({
			ok: false,
			problem: { reason: "malformed" },
		});
		// The same rewrite without changing the version is accepted: the refusal above is the version's.
		const same = await withHeader(bytes, () => {});
		expect((await decodeCompiledPolicy(same.buffer as ArrayBuffer, hash)).ok).toBe(true);
	});

	it("keeps the header small: typed arrays and the entries' values sit in the binary part", async () => {
		const { hash, policy } = await compiledRich();
		const bytes = await encodeCompiledPolicy(policy, hash);
		const header = JSON.stringify(headerOf(bytes));
		expect(header).not.toContain("blackjack");
		expect(header).toContain('"zb":');
		// Arrays of one repeated value (the group rules' error codes, all unset) are written as that value.
		expect(header).toMatch(/"t":"Int32Array","n":2,"f":0/);
	});

	it("writes values that UTF-8 cannot carry (lone surrogates) in the header, and reads them back", async () => {
		const banned = Array.from({ length: 20 }, (_, i) => `bad${i}\ud800word`);
		const text = JSON.stringify({ names: { banned } });
		const outcome = compilePolicyText(text);
		if (!outcome.ok) throw new Error(outcome.problem.message);
		const hash = await sha256Hex(text);
		const bytes = await encodeCompiledPolicy(outcome.value, hash);
		expect(JSON.stringify(headerOf(bytes))).toContain('"z":');
		const read = await decodeCompiledPolicy(bytes.slice().buffer, hash);
		if (!read.ok) throw new Error(read.problem.detail);
		expect(read.value.topic.banned.rules).toEqual(outcome.value.topic.banned.rules);
		for (const name of ["x bad3\ud800word y", "bad3word", "bad19\ud800word", "fine"]) {
			const request = { operatorAccount: "leckie", name };
			expect(evaluateCreation(read.value, "topic", request)).toEqual(
				evaluateCreation(outcome.value, "topic", request),
			);
		}
		// That list is checked when the form is read: a wrong count refuses the whole form.
		const miscounted = await withHeader(bytes, (header) => {
			expect(miscount(header.tree)).toBe(1);
		});
		expect(await decodeCompiledPolicy(miscounted.buffer as ArrayBuffer, hash)).toMatchObject({
			ok: false,
			problem: { reason: "malformed" },
		});
	});

	it("is tied to COMPILER_VERSION: a compiler whose output changes must bump it", async () => {
		const { hash, policy } = await compiledRich();
		const bytes = await encodeCompiledPolicy(policy, hash);
		const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
			.map((b) => b.toString(16).padStart(2, "0"))
			.join("");
		// When this fails, the compiler (or the normalizer it applies to entries) now builds something else
		// from the same document: bump COMPILER_VERSION in src/policy/engine/compiled-cache.ts, so that no isolate
		// reads a compiled form written by the old compiler, and record the new pair here.
		expect({ compiler: COMPILER_VERSION, digest }).toEqual({
			compiler: 14,
			digest: "d14e891d589c1a1fef38d21125aeb4e944928b7490477c64bfc56739c8d96453",
		});
	});
});
