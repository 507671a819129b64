// Types of the import-direction check, for its tests (the check itself is plain JavaScript run by Node).
export const LAYERS: string[][];
export const SUB_UNITS: string[];
export const ONLY_IMPORTS: Record<string, string[]>;
export const DOORS: string[];
export const TOOL_LAYERS: string[][];
export function unitOf(relativePath: string): string;
export function importsOf(text: string): string[];
export function importViolations(modules: Map<string, string[]>): string[];
export function toolViolations(modules: Map<string, string[]>): string[];
export function checkTree(srcDir: string): string[];
export function checkTools(root: string): string[];
export function layersPicture(): string;
