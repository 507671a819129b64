// Types of policy-fixture.mjs, for the tests that draw from the same seeded numbers.
/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export declare function random(seed: number): () => number;
/** `count` distinct banned strings of 6 to 12 lowercase letters. */
export declare function bannedEntries(count: number, seed?: number): string[];
/** The policy document with `count` plain banned entries. */
export declare function policyDocument(count: number): {
	version: string;
	refusal: { errorCode: number; errorInfo: string };
	operators: { allow: string[]; deny: string[] };
	names: { banned: string[] };
};
/** Realistic topic names that no entry of `bannedEntries` is contained in. */
export declare const ALLOWED_NAMES: string[];
