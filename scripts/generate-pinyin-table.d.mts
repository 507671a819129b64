// Types of scripts/generate-pinyin-table.mjs, for the Node-side test of the table.
/** The generated module's text. */
export declare function pinyinTableModule(): Promise<string>;
