// The pinyin table (src/policy/engine/pinyin.generated.ts) is what scripts/generate-pinyin-table.mjs makes
// from pinyin-pro today, and holds the readings a Chinese reader knows (written out here by hand).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pinyinTableModule } from "../../scripts/generate-pinyin-table.mjs";
import { PINYIN_SYLLABLES } from "../../src/policy/engine/pinyin.generated";

/** The syllables the committed table gives a character. */
function readings(character: string): string[] {
	const out: string[] = [];
	for (const [, syllable, characters] of PINYIN_SYLLABLES.matchAll(/([a-z]+)([^a-z]+)/g)) {
		if ((characters as string).includes(character)) out.push(syllable as string);
	}
	return out;
}

describe("the pinyin table", () => {
	it("is what the generator makes from the installed pinyin-pro (npm run check fails otherwise)", async () => {
		const committed = readFileSync(
			new URL("../../src/policy/engine/pinyin.generated.ts", import.meta.url),
			"utf8",
		);
		expect(await pinyinTableModule()).toBe(committed);
	});

	it("gives every reading of a polyphonic character, toneless, ü as v and u", () => {
		expect(readings("行")).toEqual(expect.arrayContaining(["hang", "xing"]));
		expect(readings("长")).toEqual(expect.arrayContaining(["chang", "zhang"]));
		expect(readings("绿")).toEqual(expect.arrayContaining(["lv", "lu"]));
		expect(readings("赌")).toEqual(["du"]);
		expect(readings("博")).toEqual(["bo"]);
	});

	it("covers the 6,763 characters of GB 2312 and no Traditional form", () => {
		const characters = new Set(PINYIN_SYLLABLES.replace(/[a-z]/g, ""));
		expect(characters.size).toBe(6763);
		expect(characters.has("賭")).toBe(false);
	});
});
