// The one SHA-256 and hex helper every Sign check, event key and policy hash goes through.
import { describe, expect, it } from "vitest";
import { hex, sha256Hex } from "../../src/crypto";

describe("hex and sha256Hex", () => {
	it("writes every byte value as two lowercase digits, in order", () => {
		const bytes = Uint8Array.from({ length: 256 }, (_, index) => 255 - index);
		const expected = [...bytes].map((byte) => (byte < 16 ? "0" : "") + byte.toString(16)).join("");
		expect(hex(bytes)).toBe(expected);
		expect(hex(bytes.buffer)).toBe(expected);
		expect(hex(new Uint8Array(0))).toBe("");
	});

	it("matches FIPS 180-2's SHA-256 test vectors", async () => {
		expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		expect(await sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		);
		expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	});
});
