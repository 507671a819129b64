// The rules that keep a rude word out of the generated Scunthorpe exceptions (scripts/scunthorpe-exceptions.mjs),
// shared with the tests that check them.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Endings that make a word an inflection of the banned word it follows (`fucking`, `bitches`, `cunty`). */
// biome-ignore format: a list reads better in rows
export const INFLECTIONS = [
	"s", "es", "ed", "d", "er", "ers", "ing", "y", "ies", "ier", "iest", "ish", "z", "ly", "ize", "ise", "ized",
	"ised", "ization", "isation", "iness",
];

/** Parts of well-known rude compounds: a banned word joined with one of them stays rude. */
// biome-ignore format: a list reads better in rows
export const COMPOUND_PARTS = [
	"head", "heads", "hole", "holes", "face", "faces", "wad", "wads", "bag", "bags", "sucker", "suckers",
	"suck", "sucking", "lick", "licker", "licking", "fest", "stick", "tard", "wit", "wits", "weed", "nut",
	"nuts", "ball", "balls", "bait", "hat", "hats", "load", "bucket", "monkey", "job", "jobs", "off", "up",
	"shot", "shots", "slut", "bang", "banger", "burger", "clown", "wipe", "mother", "mothers", "bull", "horse",
	"dumb", "jack", "dip", "cluster", "ape", "fat", "big", "cheese", "stain", "lord", "lover", "lovers",
	"master", "monger", "rag", "fucker", "fuck", "boy", "boys", "girl", "girls", "whore", "eater", "hound",
	"dog", "pig", "hammer", "fart", "fag", "dick", "cock", "cunt", "tit", "tits", "ass", "arse", "butt",
	"shit", "piss", "sex", "porn", "jizz", "cum", "less", "like", "ness", "wagon", "chicken", "diddly", "bat",
	"micro", "cow",
];

/**
 * The profanity lists that guard the exceptions: every entry lower-cased: naughty-words (LDNOOBW, all its
 * languages), badwords-list and profane-words.
 */
export function guardWords() {
	const naughty = require("naughty-words");
	const lists = [
		...Object.values(naughty).flat(),
		...require("badwords-list").array,
		...require("profane-words"),
	];
	return new Set(lists.map((w) => String(w).toLowerCase()));
}

/**
 * Rude words made of a banned word `word`: each inflection or compound part after it (also with its last
 * letter doubled, `cumming`, or merged into the ending, `dyker`), each compound part before it. An
 * exception that lets one of these through (when the policy alone refuses it) costs recall.
 */
export function rudeVariants(word) {
	const last = word.at(-1);
	const out = [];
	for (const part of [...INFLECTIONS, ...COMPOUND_PARTS]) {
		out.push(word + part, word + last + part);
		if (part[0] === last) out.push(word + part.slice(1));
	}
	for (const part of COMPOUND_PARTS) out.push(part + word);
	return out;
}
