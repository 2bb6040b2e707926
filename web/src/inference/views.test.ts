// @vitest-environment node
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { exposeInput, VIEW_COUNT, viewsFor } from "./views";

// Made by web/scripts/make_fixtures.py: y = x + sum(views); `views` defaults to 0..7 (an initializer).
const withViews = new Uint8Array(readFileSync(new URL("./__fixtures__/views_model.onnx", import.meta.url)));
const withoutViews = new Uint8Array(readFileSync(new URL("./__fixtures__/no_views_model.onnx", import.meta.url)));

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

const x = () => new ort.Tensor("float32", Float32Array.of(0.5), [1]);

async function y(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<number> {
  const out = await session.run(feeds);
  return Number(out.y!.data[0]);
}

describe("the views input in onnxruntime-web", () => {
  it("cannot be fed while it has an initializer (why the page removes it)", async () => {
    const session = await ort.InferenceSession.create(withViews);
    expect(session.inputNames).toEqual(["x"]);
    expect(await y(session, { x: x() })).toBe(28.5); // the default: all 8 views
    await expect(y(session, { x: x(), views: new ort.Tensor("int64", viewsFor(3), [1]) })).rejects.toThrow(/views/);
  });

  it("is an ordinary input once the initializer is removed, fed one view or all 8", async () => {
    const { bytes, declared } = exposeInput(withViews);
    expect(declared).toBe(true);
    expect(bytes.length).toBeLessThan(withViews.length);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(["x", "views"]);
    for (let k = 0; k < VIEW_COUNT; k++) {
      expect(await y(session, { x: x(), views: new ort.Tensor("int64", viewsFor(k), [1]) })).toBe(0.5 + k);
    }
    expect(await y(session, { x: x(), views: new ort.Tensor("int64", viewsFor(null), [VIEW_COUNT]) })).toBe(28.5);
  });

  it("leaves a model without views (model 2.0) byte for byte as it is", () => {
    const { bytes, declared } = exposeInput(withoutViews);
    expect(declared).toBe(false);
    expect(bytes).toBe(withoutViews);
  });

  it("refuses what is not an ONNX model, and views outside 0..7", () => {
    expect(() => exposeInput(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/ONNX/);
    expect(() => viewsFor(8)).toThrow(RangeError);
    expect(Array.from(viewsFor(null), Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
