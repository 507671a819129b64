// A test order for a fresh clone: the files known to take longest first, then vitest's own order. vitest
// orders files by their last duration, but a fresh clone has none and falls back to the file's size, which
// can start a long file late and leave it running alone at the end.
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** A sequencer class that runs the files named in `longest` (longest first: base names without `.test.ts`) first. */
export function longestFirst(longest: readonly string[]): typeof BaseSequencer {
	return class LongestFirst extends BaseSequencer {
		override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
			const rank = (file: TestSpecification) => {
				const index = longest.findIndex((name) => file.moduleId.endsWith(`/${name}.test.ts`));
				return index === -1 ? longest.length : index;
			};
			return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
		}
	};
}
