// The compiled form of a policy, as bytes: what a cold isolate reads from KV instead of compiling the
// document again (tens of milliseconds of CPU for 10,000 entries, against the free plan's 10 ms).
//
// Layout: magic "TCPC" | u32 header length | 32-byte SHA-256 of everything after it | header (UTF-8 JSON:
// format, compiler version, document hash, the object tree) | padding to 8 | binary part. The tree is the
// CompiledPolicy itself, walked generically (objects, arrays, Map, Set, typed arrays and the registered
// classes), so a change in the compiler's structures needs no change here; a structure this cannot write
// makes encoding fail, and the isolate just keeps compiling.
// What a cold isolate pays for grows with the bytes it parses or touches, not only with those it reads, so:
// typed arrays sit in the binary part and are read back as views into the bytes, without a copy (an
// array of one repeated value, such as error codes nobody set, is written as that value alone: it costs
// nothing to make again); long lists of strings (the entries' values) are written there too, as UTF-8
// joined by NUL, and only decoded when first used (a rule text names the entry that decides), so the
// header stays a few kilobytes of JSON. A list whose strings do not survive UTF-8 (lone surrogates) is
// written in the header as a JSON string instead. Narrowing the arrays (16-bit states) was tried: the form
// shrinks by half, but widening it back element by element costs a cold isolate more than reading it.
import { errorMessage } from "../../log";
import { type Result, refused } from "../../result";
import { CompiledBannedList, RegexMatchers } from "./banned";
import type { CompiledPolicy } from "./types";

/**
 * Version of the compiled form. Bump it whenever the compiler (or the normalizer it applies to entries)
 * changes what it produces: every cache entry written by an older compiler is then ignored. The
 * fingerprint test in test/policy/compiled-cache.test.ts fails until it is bumped.
 */
export const COMPILER_VERSION = 14;

/** Layout version of the bytes themselves. */
const FORMAT = 3;
/** Arrays of at least this many strings are written as one joined string. */
const STRING_LIST_MIN = 16;
const MAGIC = 0x43504354; // "TCPC" little-endian
const DIGEST_AT = 8;
const HEADER_AT = DIGEST_AT + 32;

/** KV key of the compiled form of the policy text whose SHA-256 (hex) is `documentHash`. */
export function compiledCacheKey(documentHash: string): string {
	return `policy:compiled:${COMPILER_VERSION}:${documentHash}`;
}

/** How long a compiled form stays in KV unless rewritten: a policy unchanged for longer is compiled once more. */
export const COMPILED_CACHE_TTL_SECONDS = 30 * 24 * 3600;

/** The classes whose instances may appear in a compiled policy, by name; `skip` fields are rebuilt lazily. */
const CLASSES: Record<string, { prototype: object; skip: readonly string[] }> = {
	CompiledBannedList: { prototype: CompiledBannedList.prototype, skip: ["allRules"] },
	RegexMatchers: { prototype: RegexMatchers.prototype, skip: ["compiled", "required"] },
};

const TYPED = {
	Int32Array,
	Uint32Array,
	Int16Array,
	Uint16Array,
	Int8Array,
	Uint8Array,
	Float64Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

/** A node of the header's tree: primitives as themselves, everything else tagged by its one key. */
type Node =
	| string
	| number
	| boolean
	| null
	| { u: 1 }
	| { a: Node[] }
	| { z: string; n: number }
	| { zb: number; b: number; n: number }
	| { o: Record<string, Node> }
	| { m: [Node, Node][] }
	| { s: Node[] }
	| { t: TypedName; at: number; n: number }
	| { t: TypedName; n: number; f: number }
	| { c: string; o: Record<string, Node> };

interface Header {
	format: number;
	compiler: number;
	documentHash: string;
	tree: Node;
}

/**
 * The bytes of a compiled policy, tied to the hash of the document it was compiled from. Throws when the
 * policy holds something this format cannot write (the caller then simply does not cache it).
 */
export async function encodeCompiledPolicy(
	policy: CompiledPolicy,
	documentHash: string,
): Promise<Uint8Array> {
	const arrays: ArrayBufferView[] = [];
	let binaryLength = 0;
	const place = (bytes: ArrayBufferView): number => {
		binaryLength = align8(binaryLength);
		const at = binaryLength;
		arrays.push(bytes);
		binaryLength += bytes.byteLength;
		return at;
	};
	const walk = (value: unknown, path: string): Node => {
		if (value === null || typeof value === "string" || typeof value === "boolean") return value;
		if (value === undefined) return { u: 1 };
		if (typeof value === "number") {
			if (!Number.isFinite(value)) throw new Error(`${path}: ${value} cannot be written`);
			return value;
		}
		if (typeof value !== "object") throw new Error(`${path}: a ${typeof value} cannot be written`);
		if (Array.isArray(value)) {
			// A long list of strings (the entries' values) as one string: parsing one string and splitting it
			// costs a cold isolate far less than parsing thousands of JSON strings.
			if (
				value.length >= STRING_LIST_MIN &&
				value.every((item) => typeof item === "string" && !item.includes("\0"))
			) {
				const joined = value.join("\0");
				if (!joined.isWellFormed()) return { z: joined, n: value.length };
				const bytes = new TextEncoder().encode(joined);
				return { zb: place(bytes), b: bytes.byteLength, n: value.length };
			}
			return { a: value.map((item, i) => walk(item, `${path}[${i}]`)) };
		}
		if (ArrayBuffer.isView(value)) {
			const name = value.constructor.name as TypedName;
			if (TYPED[name] === undefined || value.constructor !== TYPED[name])
				throw new Error(`${path}: ${value.constructor.name} cannot be written`);
			const typed = value as Typed;
			const first = typed[0];
			// Float64 values stay as written (a JSON number would lose -0).
			if (first !== undefined && !(typed instanceof Float64Array) && typed.every((item) => item === first))
				return { t: name, n: typed.length, f: first };
			return { t: name, at: place(typed), n: typed.length };
		}
		if (value instanceof Map)
			return { m: [...value].map(([k, v], i) => [walk(k, `${path}.key${i}`), walk(v, `${path}.get${i}`)]) };
		if (value instanceof Set) return { s: [...value].map((item, i) => walk(item, `${path}.has${i}`)) };
		const prototype = Object.getPrototypeOf(value);
		const fields = (skip: readonly string[]) => {
			const out: Record<string, Node> = {};
			for (const [key, field] of Object.entries(value)) {
				if (!skip.includes(key)) out[key] = walk(field, `${path}.${key}`);
			}
			return out;
		};
		if (prototype === Object.prototype || prototype === null) return { o: fields([]) };
		const name = Object.entries(CLASSES).find(([, entry]) => entry.prototype === prototype)?.[0];
		if (name === undefined)
			throw new Error(`${path}: instances of ${prototype?.constructor?.name ?? "?"} cannot be written`);
		return { c: name, o: fields(CLASSES[name]?.skip ?? []) };
	};
	const header: Header = {
		format: FORMAT,
		compiler: COMPILER_VERSION,
		documentHash,
		tree: walk(policy, "policy"),
	};
	const headerBytes = new TextEncoder().encode(JSON.stringify(header));
	const binaryAt = align8(HEADER_AT + headerBytes.byteLength);
	const bytes = new Uint8Array(binaryAt + binaryLength);
	const view = new DataView(bytes.buffer);
	view.setUint32(0, MAGIC, true);
	view.setUint32(4, headerBytes.byteLength, true);
	bytes.set(headerBytes, HEADER_AT);
	let offset = 0;
	for (const typed of arrays) {
		offset = align8(offset);
		bytes.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), binaryAt + offset);
		offset += typed.byteLength;
	}
	bytes.set(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.subarray(HEADER_AT))), DIGEST_AT);
	return bytes;
}

/** Why a cached compiled form was not used. */
export type CacheRejection = "malformed" | "other-compiler" | "other-document";

/**
 * Whether `buffer` is intact: its SHA-256 matches the digest written in it. Hashing a 10,000-entry form
 * (1.4 MiB) is the largest single cost of reading it, so a cold isolate checks it after its first answer
 * (see the loader); {@link decodeCompiledPolicy} checks everything else. Never throws.
 */
export async function compiledFormIntact(buffer: ArrayBuffer): Promise<boolean> {
	if (buffer.byteLength < HEADER_AT) return false;
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(buffer, HEADER_AT)));
	const stored = new Uint8Array(buffer, DIGEST_AT, 32);
	for (let i = 0; i < 32; i++) {
		if (digest[i] !== stored[i]) return false;
	}
	return true;
}

/**
 * The compiled policy in `bytes`, when they were written by this compiler version for the document whose
 * hash is `documentHash` and their structure reads back; otherwise why not. Does not check the digest:
 * that is {@link compiledFormIntact}, which the caller runs before or after using the result. Never throws.
 */
export function decodeCompiledPolicy(
	buffer: ArrayBuffer,
	documentHash: string,
): Result<CompiledPolicy, { reason: CacheRejection; detail: string }> {
	const reject = (reason: CacheRejection, detail: string) => refused({ reason, detail });
	try {
		if (buffer.byteLength < HEADER_AT) return reject("malformed", `${buffer.byteLength} bytes`);
		const view = new DataView(buffer);
		if (view.getUint32(0, true) !== MAGIC) return reject("malformed", "not a compiled policy");
		const headerLength = view.getUint32(4, true);
		if (HEADER_AT + headerLength > buffer.byteLength) return reject("malformed", "header cut short");
		const header = JSON.parse(
			new TextDecoder().decode(new Uint8Array(buffer, HEADER_AT, headerLength)),
		) as Header;
		if (header.format !== FORMAT || header.compiler !== COMPILER_VERSION)
			return reject("other-compiler", `format ${header.format}, compiler ${header.compiler}`);
		if (header.documentHash !== documentHash) return reject("other-document", header.documentHash);
		const binaryAt = align8(HEADER_AT + headerLength);
		return { ok: true, value: rebuild(header.tree, buffer, binaryAt) as CompiledPolicy };
	} catch (error) {
		return reject("malformed", errorMessage(error));
	}
}

/** The value a header node stands for; typed arrays become views into `buffer`. */
function rebuild(node: Node, buffer: ArrayBuffer, binaryAt: number): unknown {
	if (node === null || typeof node !== "object") return node;
	if ("a" in node) {
		// Arrays of strings and numbers (most of the tree: the entries' values) are used as parsed.
		const items = node.a as unknown[];
		for (let i = 0; i < items.length; i++) {
			const item = items[i];
			if (item !== null && typeof item === "object") items[i] = rebuild(item as Node, buffer, binaryAt);
		}
		return items;
	}
	if ("z" in node) return splitList(node.z, node.n);
	if ("zb" in node) return splitList(new TextDecoder().decode(binaryBytes(node, buffer, binaryAt)), node.n);
	if ("t" in node) {
		const Type = TYPED[node.t];
		if (Type === undefined) throw new Error(`unknown array type ${node.t}`);
		if ("f" in node) {
			if (!Number.isSafeInteger(node.n) || node.n < 0) throw new Error(`array of ${node.n} items`);
			return new Type(node.n).fill(node.f);
		}
		// Out-of-range offsets throw a RangeError here: a malformed entry, never a wrong read.
		return new Type(buffer, binaryAt + node.at, node.n);
	}
	if ("u" in node) return undefined;
	if ("m" in node) {
		const map = new Map<unknown, unknown>();
		for (const [key, value] of node.m)
			map.set(rebuild(key, buffer, binaryAt), rebuild(value, buffer, binaryAt));
		return map;
	}
	if ("s" in node) {
		const set = new Set<unknown>();
		for (const item of node.s) set.add(rebuild(item, buffer, binaryAt));
		return set;
	}
	if ("c" in node) {
		const entry = CLASSES[node.c];
		if (entry === undefined) throw new Error(`unknown class ${node.c}`);
		const instance = Object.create(entry.prototype) as Record<string, unknown>;
		for (const key in node.o) setField(instance, key, node.o[key] as Node, buffer, binaryAt);
		for (const key of entry.skip) instance[key] = null;
		return instance;
	}
	if ("o" in node) {
		const object: Record<string, unknown> = {};
		for (const key in node.o) setField(object, key, node.o[key] as Node, buffer, binaryAt);
		return object;
	}
	throw new Error("unknown node");
}

/**
 * Sets `target[key]` to what `node` stands for. A list of strings in the binary part becomes a property
 * that decodes it on first read and then holds the list: its bytes are checked to lie inside the buffer
 * now, its count when it is decoded.
 */
function setField(
	target: Record<string, unknown>,
	key: string,
	node: Node,
	buffer: ArrayBuffer,
	binaryAt: number,
): void {
	if (node === null || typeof node !== "object" || !("zb" in node)) {
		target[key] = rebuild(node, buffer, binaryAt);
		return;
	}
	const bytes = binaryBytes(node, buffer, binaryAt);
	const count = node.n;
	Object.defineProperty(target, key, {
		configurable: true,
		enumerable: true,
		get() {
			const value = splitList(new TextDecoder().decode(bytes), count);
			Object.defineProperty(target, key, { value, configurable: true, enumerable: true, writable: true });
			return value;
		},
	});
}

/** The bytes of a string list in the binary part; throws (malformed) when they do not lie inside it. */
function binaryBytes(node: { zb: number; b: number }, buffer: ArrayBuffer, binaryAt: number): Uint8Array {
	return new Uint8Array(buffer, binaryAt + node.zb, node.b);
}

/** A joined list of strings back as the list; throws when it does not hold `count` of them. */
function splitList(joined: string, count: number): string[] {
	const items = joined.split("\0");
	if (items.length !== count) throw new Error(`string list of ${items.length} items, not ${count}`);
	return items;
}

function align8(n: number): number {
	return (n + 7) & ~7;
}
