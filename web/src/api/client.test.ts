import { afterEach, describe, expect, it, vi } from "vitest";
import { checkPhoto, PageError, predict } from "./client";
import { ANSWER, jsonResponse, PNG } from "../test/fixtures";

async function rejection(promise: Promise<unknown>): Promise<PageError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PageError) return error;
    throw error;
  }
  throw new Error("expected a PageError");
}

afterEach(() => vi.unstubAllGlobals());

describe("checkPhoto", () => {
  it("accepts image signatures and refuses the rest by content", async () => {
    await expect(checkPhoto(new Blob([PNG]))).resolves.toBeUndefined();
    await expect(checkPhoto(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])]))).resolves.toBeUndefined();
    expect((await rejection(checkPhoto(new Blob(["hello, not a photo"])))).code).toBe("not_an_image");
    expect((await rejection(checkPhoto(new Blob([])))).code).toBe("empty_file");
    expect((await rejection(checkPhoto(new Blob(["GIF89a\x01\x00"])))).code).toBe("unsupported_type");
  });

  it("refuses a photo over the size limit before uploading it", async () => {
    const error = await rejection(checkPhoto(new Blob([PNG, new Uint8Array(2048)]), 1024));
    expect(error.code).toBe("file_too_large");
    expect(error.params).toEqual({ size: "0.0", limit: "0.0" });
  });
});

describe("predict", () => {
  it("posts the photo as multipart field 'image' and returns the ANSWER", async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, ANSWER));
    vi.stubGlobal("fetch", fetchMock);
    await expect(predict(new Blob([PNG]), "a.png")).resolves.toEqual(ANSWER);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/v1/predict");
    expect((init.body as FormData).get("image")).toBeInstanceOf(Blob);
  });

  it("keeps the server's machine code and status, not its words (the page words errors itself)", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn().mockResolvedValue(jsonResponse(413, { detail: "Too big: 40 MB.", code: "too_large" })),
    );
    const error = await rejection(predict(new Blob([PNG])));
    expect(error).toMatchObject({ code: "too_large", status: 413 });
    expect(JSON.stringify(error)).not.toContain("Too big");
  });

  it("keeps a refusal's code and reasons", async () => {
    const body = { detail: "…", code: "photo_unusable", hint: "…", reasons: ["too_dark"] };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(jsonResponse(422, body)));
    expect(await rejection(predict(new Blob([PNG])))).toMatchObject({ code: "photo_unusable", reasons: ["too_dark"] });
  });

  it("explains an unreachable server", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    expect((await rejection(predict(new Blob([PNG])))).code).toBe("unreachable");
  });

  it("never shows a server crash's internals", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response("Traceback ...", { status: 502 })));
    const error = await rejection(predict(new Blob([PNG])));
    expect(error.code).toBe("http_502");
    expect(error.message).not.toMatch(/Traceback/);
  });
});

describe("language", () => {
  it("sends the page's language as Accept-Language", async () => {
    const { setActiveLang } = await import("../i18n/translate");
    const fetchMock = vi.fn(() => Promise.resolve(jsonResponse(200, ANSWER)));
    vi.stubGlobal("fetch", fetchMock);
    try {
      setActiveLang("zh");
      await predict(new Blob([PNG]), "a.png");
      expect(
        new Headers((fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].headers).get("Accept-Language"),
      ).toMatch(/^zh-CN,zh/);
      setActiveLang("en");
      await predict(new Blob([PNG]), "a.png");
      expect(
        new Headers((fetchMock.mock.calls[1] as unknown as [string, RequestInit])[1].headers).get("Accept-Language"),
      ).toBe("en");
    } finally {
      setActiveLang("en");
    }
  });
});
