import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FALLBACK_THUMBNAIL_PX, squareThumbnailUrl } from "../history/thumbnail";
import { I18nProvider } from "../i18n";
import { type PhotoSource, PhotoPreview } from "./PhotoPreview";

const photo = (modelSize: number): PhotoSource => ({
  url: "blob:photo",
  name: "spot.jpg",
  width: 400,
  height: 300,
  modelInput: null,
  modelSize,
  squareThumbnail: null,
});

describe("PhotoPreview without the model card", () => {
  it("gives the photo's own size and never 0×0", () => {
    render(
      <I18nProvider>
        <PhotoPreview photo={photo(0)} />
      </I18nProvider>,
    );
    const caption = screen.getByText(/centred square/);
    expect(caption).toHaveTextContent("400×300");
    expect(caption).not.toHaveTextContent(/\b0×0\b/);
  });

  it("names the model's square when the card gave its size", () => {
    render(
      <I18nProvider>
        <PhotoPreview photo={photo(96)} />
      </I18nProvider>,
    );
    expect(screen.getByText(/centred square/)).toHaveTextContent("400×300 photo → 96×96 px");
  });
});

describe("squareThumbnailUrl", () => {
  const original = HTMLCanvasElement.prototype.getContext;
  afterEach(() => {
    HTMLCanvasElement.prototype.getContext = original;
    vi.restoreAllMocks();
  });

  it("draws the photo's centred square, small, as a JPEG", () => {
    const drawImage = vi.fn();
    HTMLCanvasElement.prototype.getContext = (() => ({ drawImage })) as unknown as typeof original;
    vi.spyOn(HTMLCanvasElement.prototype, "toDataURL").mockReturnValue("data:image/jpeg;base64,xx");
    const source = document.createElement("canvas");
    expect(squareThumbnailUrl(source, 400, 300)).toBe("data:image/jpeg;base64,xx");
    expect(drawImage).toHaveBeenCalledWith(source, 50, 0, 300, 300, 0, 0, FALLBACK_THUMBNAIL_PX, FALLBACK_THUMBNAIL_PX);
    expect(squareThumbnailUrl(source, 90, 120)).not.toBeNull();
    expect(drawImage).toHaveBeenLastCalledWith(source, 0, 15, 90, 90, 0, 0, 90, 90); // never enlarged
  });

  it("gives null where canvas is unavailable (as in jsdom)", () => {
    expect(squareThumbnailUrl(document.createElement("canvas"), 400, 300)).toBeNull();
  });
});
