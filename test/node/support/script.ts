// Runs one of the project's Node scripts (scripts/…) as `npm run` would, and returns its exit status and output
// instead of throwing when it fails.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const exec = promisify(execFile);

export interface ScriptRun {
	code: number;
	out: string;
	err: string;
}

/** `node <script> …args` in the project's root, with `env` instead of this process's environment when given. */
export async function runScript(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ScriptRun> {
	try {
		const { stdout, stderr } = await exec(process.execPath, [script, ...args], { cwd: root, env });
		return { code: 0, out: stdout, err: stderr };
	} catch (error) {
		const failed = error as { code: number; stdout: string; stderr: string };
		return { code: failed.code, out: failed.stdout, err: failed.stderr };
	}
}
