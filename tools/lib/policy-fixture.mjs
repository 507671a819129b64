// Deterministic policy documents and topic names for the benchmarks. Every banned entry is a plain string
// (works with every version of the engine) holding at least one of q, x, z, j; no benchmark name holds any
// of those letters, so every decision is an "allowed" one: the engine has to look at the whole policy.

/** A small seeded PRNG (mulberry32), so every run measures the same policy. */
export function random(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const LETTERS = "abcdefghiklmnoprstuvwy";
const MARKERS = "qxzj";

/** `count` distinct banned strings of 6 to 12 lowercase letters. */
export function bannedEntries(count, seed = 5) {
	const next = random(seed);
	const entries = new Set();
	while (entries.size < count) {
		const length = 6 + Math.floor(next() * 7);
		const marker = Math.floor(next() * length);
		let entry = "";
		for (let i = 0; i < length; i++) {
			entry +=
				i === marker
					? MARKERS[Math.floor(next() * MARKERS.length)]
					: LETTERS[Math.floor(next() * LETTERS.length)];
		}
		entries.add(entry);
	}
	return [...entries];
}

/** The policy document with `count` plain banned entries, as the user would store it under the KV key `policy`. */
export function policyDocument(count) {
	return {
		version: `bench-${count}`,
		refusal: { errorCode: 1, errorInfo: "" },
		operators: { allow: [], deny: ["spammer01"] },
		names: { banned: bannedEntries(count) },
	};
}

/** Realistic topic names that no entry of `bannedEntries` is contained in (none holds q, x, z or j). */
export const ALLOWED_NAMES = [
	"MyFirstTopic",
	"Weekly planning",
	"Release notes",
	"Book club",
	"General chat",
	"Café del Mar",
	"Ψηφοφορία",
	"旅行の話",
	"Music & Movies",
	"Photo of the day 2026",
	"Help desk",
	"Support for beginners",
	"Random",
	"Off topic",
	"Announcements",
	"Tips and tricks",
	"Gaming night",
	"Study group 7B",
	"Hiking trips",
	"Recipes",
	"Pet photos",
	"Book reviews",
	"Travel plans",
	"Fitness",
	"Movie night",
	"Coding help",
	"Art and design",
	"Garden",
	"Meet and greet",
	"Local events",
	"Language swap",
	"Career advice",
];

for (const name of ALLOWED_NAMES) {
	if (/[qxzj]/i.test(name)) throw new Error(`benchmark name ${name} holds a marker letter`);
}
