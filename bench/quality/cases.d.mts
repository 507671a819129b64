// Types of the quality benchmark's case generator (cases.mjs), for the Node-side test of its determinism.
export interface QualityCase {
	class: string;
	word: string;
	name: string;
}
export declare const DEFAULT_SEED: number;
export declare const EVASION_CLASSES: readonly { id: string; label: string }[];
export declare const CHINESE_CLASSES: readonly { id: string; label: string }[];
export declare const CJK_CLASSES: readonly { id: string; label: string; words: readonly string[] }[];
export declare const SCUNTHORPE: readonly string[];
export declare const SCUNTHORPE_POOL: readonly string[];
/** The two halves of SCUNTHORPE_POOL (see cases.mjs). */
export declare function scunthorpeSplit(): { seen: string[]; heldOut: string[] };
/** Every case of the benchmark for `seed` (see cases.mjs). */
export declare function qualityCases(
	seed: number,
	refusedByObscenity: (word: string) => boolean,
): {
	seed: number;
	words: string[];
	unenforced: string[];
	chineseWords: string[];
	japaneseWords: string[];
	koreanWords: string[];
	evasions: QualityCase[];
	controls: QualityCase[];
	innocent: {
		dictionary: string[];
		cities: string[];
		scunthorpe: string[];
		scunthorpeSeen: string[];
		scunthorpeHeldOut: string[];
		chinese: string[];
		russian: string[];
		ukrainian: string[];
		bulgarian: string[];
		greek: string[];
		french: string[];
		spanish: string[];
		japanese: string[];
		korean: string[];
	};
	frames: string[];
};
export declare const NOTIFICATION_FRAMES: readonly string[];
export declare const NOTIFICATION_SAMPLE: number;
/** The cases of `cases` as notification-length texts (see cases.mjs). */
export declare function notificationCases(cases: ReturnType<typeof qualityCases>): {
	evasions: QualityCase[];
	controls: QualityCase[];
	innocent: Record<keyof ReturnType<typeof qualityCases>["innocent"], string[]>;
	frames: string[];
};
