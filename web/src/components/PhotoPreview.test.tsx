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

describe("PhotoPreview", () => {
  it.each([0, 96])("says in plain words what the model looks at, with no pixel sizes (card size %i)", (size) => {
    render(
      <I18nProvider>
        <PhotoPreview photo={photo(size)} />
      </I18nProvider>,
    );
    const caption = screen.getByText(/centred square/);
    expect(caption).not.toHaveTextContent(/\d+×\d+|px\b/);
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
