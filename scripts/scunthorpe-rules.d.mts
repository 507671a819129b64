// Types of scripts/scunthorpe-rules.mjs, for the tests of the generated Scunthorpe exceptions.
/** Endings that make a word an inflection of the banned word it follows. */
export declare const INFLECTIONS: readonly string[];
/** Parts of well-known rude compounds. */
export declare const COMPOUND_PARTS: readonly string[];
/** The profanity lists that guard the exceptions, lower-cased. */
export declare function guardWords(): Set<string>;
/** Rude words made of the banned word `word` with an inflection or compound part. */
export declare function rudeVariants(word: string): string[];
