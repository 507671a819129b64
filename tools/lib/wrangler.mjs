// The project's own wrangler, started directly: through `npx` every call would pay a third of a second of
// CPU more (npm's own start), and the CLIs and their tests call it dozens of times.
import { fileURLToPath } from "node:url";

/** Path of node_modules/.bin/wrangler in this project. */
export const WRANGLER_BIN = fileURLToPath(new URL("../../node_modules/.bin/wrangler", import.meta.url));
