// Types of tools/lib/benchmark-policy.mjs, for the tests of the generated Scunthorpe exceptions.
/** A policy document as the benchmark writes it. */
export interface BenchmarkDocument {
	version: string;
	names: { allowed: unknown[]; banned: unknown[] };
}
/** obscenity's English dataset as a policy document, plus the CJK words `cjk` and the allowed patterns `exceptions`. */
export declare function benchmarkPolicy(
	cjk:
		| readonly string[]
		| { chinese: readonly string[]; pinyin: boolean; japanese: readonly string[]; korean: readonly string[] },
	foldsToOther: (term: string) => boolean,
	exceptions?: readonly unknown[],
): { document: BenchmarkDocument; skipped: string[]; dead: string[] };
