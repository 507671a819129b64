// Pinyin for banned entries that ask for it (`"pinyin": true`, or `"initials"`): the entry also matches its
// toneless pinyin, written whole (`dubo`, `du bo`, `Du-Bo`), mixed with its characters (`赌bo`, `du博`), and
// with `"initials"` by initials too (`db`, `d博`). Each Han character of the value is any of its readings
// (every reading of a polyphonic one), from the table scripts/generate-pinyin-table.mjs extracts from
// pinyin-pro. The spellings join the entry's other patterns in the automaton, so a decision pays nothing
// more for them.
import { PINYIN_SYLLABLES } from "./pinyin.generated";

/** Each character's readings, built on first use (only a policy with a pinyin entry needs them). */
const table: { readings?: ReadonlyMap<string, readonly string[]> } = {};

function readingsTable(): ReadonlyMap<string, readonly string[]> {
	if (table.readings === undefined) {
		const map = new Map<string, string[]>();
		for (const [, syllable, characters] of PINYIN_SYLLABLES.matchAll(/([a-z]+)([^a-z]+)/g)) {
			for (const c of characters as string) {
				const list = map.get(c);
				if (list === undefined) map.set(c, [syllable as string]);
				else list.push(syllable as string);
			}
		}
		table.readings = map;
	}
	return table.readings;
}

/** The toneless readings of one Han character (`长` → `chang`, `zhang`), empty when the table has none. */
export function pinyinOf(character: string): readonly string[] {
	return readingsTable().get(character) ?? [];
}

/** The initial of a syllable: `zh` `ch` `sh` or its first letter. */
function initialOf(syllable: string): string {
	return /^[zcs]h/.test(syllable) ? syllable.slice(0, 2) : syllable.charAt(0);
}

/** What may stand between the characters or syllables of a spelling (`dubo`, `du bo`, `du-bo`, `du.bo`, `du_bo`). */
const SEPARATORS = ["", " ", "-", ".", "_"];
/**
 * What may stand between syllables too, as folded (`du/bo`, `du+bo`, `du·bo` and `du・bo`, `du，bo`); `*` and
 * `~`, like `-` `.` `_`, are skipped inside a word by the readings (`du*bo` reads `dubo`).
 */
const MORE_SEPARATORS = ["/", "+", ",", "·", "、"];
/** Most spellings one entry adds (every mix of characters and readings, times the separators). */
export const MAX_PINYIN_SPELLINGS = 1000;

/** One spelling of a pinyin entry, and which of its ends are Latin letters (they must end a word there). */
export interface PinyinSpelling {
	text: string;
	latinStart: boolean;
	latinEnd: boolean;
}

/**
 * The spellings of a pinyin entry besides its characters, from its folded value: each character as itself
 * or any of its readings (with `initials`, their initials too), at least one as pinyin, the characters or
 * syllables joined by one kind of separator or none (`赌博` → `dubo`, `du bo`, `赌bo`, `du博` …). Null when
 * no character of the value has a reading. Past {@link MAX_PINYIN_SPELLINGS}, the rest are left out.
 */
export function pinyinSpellings(folded: string, initials: boolean): PinyinSpelling[] | null {
	const characters = [...folded.replace(/ /g, "")];
	const choices = characters.map((c) => {
		const syllables = pinyinOf(c);
		const spellings = new Set(syllables);
		if (initials) for (const s of syllables) spellings.add(initialOf(s));
		return [c, ...spellings];
	});
	if (choices.every((list) => list.length === 1)) return null;
	let mixes: string[][] = [[]];
	for (const list of choices) {
		const next: string[][] = [];
		for (const mix of mixes) {
			for (const choice of list) {
				if (next.length * SEPARATORS.length >= MAX_PINYIN_SPELLINGS) break;
				next.push([...mix, choice]);
			}
		}
		mixes = next;
	}
	const latin = /^[a-z]/;
	const out: PinyinSpelling[] = [];
	const seen = new Set<string>();
	// Separators stand between two syllables only: next to a character any separator is skipped (readings.ts).
	const spell = (mix: readonly string[], separator: string) => {
		let text = mix[0] as string;
		for (let i = 1; i < mix.length; i++) {
			const between = latin.test(mix[i - 1] as string) && latin.test(mix[i] as string);
			text += (between ? separator : "") + (mix[i] as string);
		}
		if (seen.has(text)) return;
		seen.add(text);
		out.push({
			text,
			latinStart: latin.test(mix[0] as string),
			latinEnd: latin.test(mix[mix.length - 1] as string),
		});
	};
	const pinyinMixes = mixes.filter((mix) => !mix.every((part, i) => part === characters[i]));
	for (const mix of pinyinMixes) for (const separator of SEPARATORS) spell(mix, separator);
	// The other separators too, while there is room.
	for (const mix of pinyinMixes) {
		for (const separator of MORE_SEPARATORS) if (out.length < MAX_PINYIN_SPELLINGS) spell(mix, separator);
	}
	return out;
}

/**
 * The pinyin a match spelled, for explanations: the matched part of the name read against the value's
 * characters, each shown as the syllable (or character) found (`du博` for 赌博 → `du 博`). Null when the
 * match holds no Latin letter (the characters themselves matched).
 */
export function matchedPinyin(value: string, matched: string): string | null {
	const text = matched.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
	if (!/[a-z]/.test(text)) return null;
	const characters = [...value.replace(/\s/g, "")];
	if (!characters.some((c) => pinyinOf(c).length > 0)) return null;
	const found: string[] = [];
	const walk = (at: number, position: number): boolean => {
		if (position === characters.length) return at === text.length;
		const c = characters[position] as string;
		const syllables = pinyinOf(c);
		const choices = [c, ...syllables, ...syllables.map(initialOf)];
		for (const choice of choices) {
			if (!text.startsWith(choice, at)) continue;
			found.push(choice);
			if (walk(at + choice.length, position + 1)) return true;
			found.pop();
		}
		return false;
	};
	return walk(0, 0) ? found.join(" ") : null;
}
