// The engines the quality benchmark compares, each made from the same word list and each answering one
// question per name: would it refuse this name? This project also answers it per text (`refusesText`: a
// notification judged by the policy's `texts` section); the others judge a text as they judge a name.
import { Mint } from "mint-filter";
import {
	DataSet,
	englishDataset,
	englishRecommendedBlacklistMatcherTransformers,
	englishRecommendedTransformers,
	englishRecommendedWhitelistMatcherTransformers,
	parseRawPattern,
	RegExpMatcher,
	skipNonAlphabeticTransformer,
} from "obscenity";

/**
 * obscenity's English dataset with the benchmark's Chinese words added as phrases of their own (plain
 * patterns), so that it is asked about the same words as every other engine.
 */
function datasetWith(chineseWords) {
	const dataset = new DataSet().addAll(englishDataset);
	for (const word of chineseWords) {
		dataset.addPhrase((phrase) =>
			phrase.setMetadata({ originalWord: word }).addPattern(parseRawPattern(word)),
		);
	}
	return dataset.build();
}

/** obscenity as its README recommends: englishDataset.build() with englishRecommendedTransformers. */
export function obscenityEngine(chineseWords) {
	const matcher = new RegExpMatcher({ ...datasetWith(chineseWords), ...englishRecommendedTransformers });
	return {
		id: "obscenity",
		label: "obscenity (recommended transformers)",
		refuses: (name) => matcher.hasMatch(name),
	};
}

/**
 * obscenity with its separator option: skipNonAlphabeticTransformer where its English preset leaves it
 * commented out (after lower-casing, before collapsing duplicates), so `c a s i n o` reads `casino`.
 */
export function obscenitySeparatorEngine(chineseWords) {
	const collapse = englishRecommendedBlacklistMatcherTransformers.at(-1);
	const before = englishRecommendedBlacklistMatcherTransformers.slice(0, -1);
	const matcher = new RegExpMatcher({
		...datasetWith(chineseWords),
		blacklistMatcherTransformers: [...before, skipNonAlphabeticTransformer(), collapse],
		whitelistMatcherTransformers: englishRecommendedWhitelistMatcherTransformers,
	});
	return {
		id: "obscenity-separators",
		label: "obscenity + skipNonAlphabeticTransformer",
		refuses: (name) => matcher.hasMatch(name),
	};
}

/**
 * mint-filter, a Chinese moderation library (an Aho–Corasick automaton over the words as given, no folding),
 * as its README shows it: `new Mint(words)`, a name refused when `filter` finds any word in it.
 */
export function mintEngine(words) {
	const mint = new Mint(words.map((word) => word.toLowerCase()));
	return {
		id: "mint-filter",
		label: "mint-filter",
		refuses: (name) => mint.filter(name.toLowerCase(), { replace: false }).words.length > 0,
	};
}

/** The naive baseline: lower-case the name, refuse it when it contains any word of the list. */
export function naiveEngine(words) {
	const lowered = words.map((word) => word.toLowerCase());
	return {
		id: "naive",
		label: "naive lower-case substring",
		refuses: (name) => {
			const text = name.toLowerCase();
			for (let i = 0; i < lowered.length; i++) if (text.includes(lowered[i])) return true;
			return false;
		},
	};
}

/**
 * This project: the policy module bundled from bench/policy-adapter.ts (compilePolicyText once,
 * evaluateCreation per decision, as the Worker does), with the policy document `document`; `id` and
 * `label` tell one policy from another in the tables.
 */
export function projectEngine(adapter, document, id = "project", label = "this project (src/policy)") {
	// The same document with texts judged by its names' rules (`"banned": "names"`), for notifications.
	const policy = adapter.compile(JSON.stringify({ ...document, texts: { banned: "names" } }));
	return {
		id,
		label,
		refuses: (name) => !adapter.decide(policy, "quality-benchmark", name),
		refusesText: (text) => !adapter.decideText(policy, text),
	};
}
