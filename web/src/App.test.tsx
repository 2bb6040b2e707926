import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { en, zh } from "./i18n";
import { ANSWER, jsonResponse, PNG } from "./test/fixtures";

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  fetchMock = vi.fn((url: string) =>
    Promise.resolve(url.endsWith("/models/skinscan.json") ? jsonResponse(404, {}) : jsonResponse(200, ANSWER)),
  );
  vi.stubGlobal("fetch", fetchMock);
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:photo", revokeObjectURL: () => undefined }));
});

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/"); // the language switch writes ?lang= into the address
});

const upload = (name: string, bytes: BlobPart[], type: string, label = /^choose a photo$/i) => {
  const input = screen.getByLabelText(label);
  expect(input).toHaveAttribute("type", "file");
  expect(input).toHaveAttribute("accept", "image/*");
  return userEvent.upload(input, new File(bytes, name, { type }), { applyAccept: false });
};

describe("App", () => {
  it("always shows the disclaimer", () => {
    render(<App />);
    expect(screen.getByTestId("disclaimer")).toHaveTextContent(/not a diagnosis/i);
  });

  it("shows the ANSWER for a photo and moves focus to its headline (not one big live region)", async () => {
    render(<App />);
    await upload("spot.png", [PNG], "image/png");
    const result = await screen.findByTestId("result");
    expect(result).toHaveTextContent("Low concern");
    expect(result).toHaveTextContent("8%");
    expect(result.closest("[aria-live]")).toBeNull();
    await waitFor(() => expect(document.activeElement).toHaveTextContent("Low concern: keep an eye on it"));
    expect(screen.queryByTestId("error")).not.toBeInTheDocument();
    expect(screen.getByTestId("disclaimer")).toBeVisible();
  });

  it("offers 'Choose another photo' only once a photo was chosen", async () => {
    render(<App />);
    expect(screen.queryByText("Choose another photo")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Take a photo")).not.toHaveAttribute("tabindex", "-1");
  });

  it("shows the page in Chinese with ?lang=zh", async () => {
    window.history.replaceState(null, "", "/?lang=zh");
    try {
      render(<App />);
      expect(screen.getByTestId("disclaimer")).toHaveTextContent("这不是诊断");
      expect(document.documentElement.lang).toBe("zh-CN");
      await upload("notes.txt", ["just text"], "text/plain", /^选择照片$/);
      expect(await screen.findByTestId("error")).toHaveTextContent("这个文件不是图片");
    } finally {
      window.history.replaceState(null, "", "/");
    }
  });

  it("refuses a text file without calling the server", async () => {
    render(<App />);
    await upload("notes.txt", ["just text"], "text/plain");
    expect(await screen.findByTestId("error")).toHaveTextContent(/not an image/i);
    expect(fetchMock.mock.calls.filter(([url]) => String(url).includes("/api/v1/predict"))).toHaveLength(0);
    expect(screen.queryByTestId("result")).not.toBeInTheDocument();
  });

  it("explains a photo the server finds too large", async () => {
    fetchMock.mockImplementation(() =>
      Promise.resolve(
        jsonResponse(413, {
          detail: "The photo has 9000x9000 pixels; the limit is 64 megapixels.",
          code: "too_many_pixels",
        }),
      ),
    );
    render(<App />);
    await upload("huge.png", [PNG], "image/png");
    const error = await screen.findByTestId("error");
    // Worded by the page from the code, in the page's language; the server's text is for API clients.
    expect(error).toHaveTextContent("This photo has too many pixels for the server. Choose a smaller photo.");
    expect(error).not.toHaveTextContent(/9000/);
    expect(error).toHaveAttribute("role", "alert");
    expect(screen.getByRole("button", { name: "Choose another photo" })).toBeInTheDocument();
  });

  it("re-words everything on screen when the language changes: refusal, error, answer", async () => {
    const refusal = {
      detail: "Blurred.",
      code: "photo_unusable",
      hint: "Hold the phone still.",
      reasons: ["too_dark"],
    };
    fetchMock.mockImplementation((url: string) =>
      Promise.resolve(url.endsWith("/models/skinscan.json") ? jsonResponse(404, {}) : jsonResponse(422, refusal)),
    );
    render(<App />);
    await upload("dark.png", [PNG], "image/png");
    expect(await screen.findByTestId("refusal")).toHaveTextContent(en["hint.too_dark"]);
    expect(screen.getByTestId("refusal")).not.toHaveTextContent("Hold the phone still.");
    expect(screen.queryByText(en["result.placeholder"])).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByTestId("lang"), "zh");
    expect(screen.getByTestId("refusal")).toHaveTextContent(zh["hint.too_dark"]);
    expect(screen.getByTestId("refusal")).toHaveTextContent(zh["reason.too_dark"]);

    fetchMock.mockImplementation((url: string) =>
      Promise.resolve(url.endsWith("/models/skinscan.json") ? jsonResponse(404, {}) : jsonResponse(200, ANSWER)),
    );
    await upload("spot.png", [PNG], "image/png", /^选择(另一张)?照片$/);
    const result = await screen.findByTestId("result");
    expect(result).toHaveTextContent(zh["result.headline.low"]);
    expect(result).toHaveTextContent(zh["disclaimer.strong"]);
    await userEvent.selectOptions(screen.getByTestId("lang"), "en");
    expect(result).toHaveTextContent(en["result.headline.low"]);
    expect(result).toHaveTextContent(en["disclaimer.strong"]);
    expect(result).not.toHaveTextContent(/[\u4e00-\u9fff]/);
  });

  it("shows a loading state while the server works", async () => {
    let release: (r: Response) => void = () => undefined;
    fetchMock.mockImplementation((url: string) =>
      url.includes("/api/v1/predict")
        ? new Promise<Response>((r) => (release = r))
        : Promise.resolve(jsonResponse(404, {})),
    );
    render(<App />);
    await upload("spot.png", [PNG], "image/png");
    expect(await screen.findByTestId("loading")).toHaveTextContent(/analysing/i);
    release(jsonResponse(200, ANSWER));
    await screen.findByTestId("result");
    expect(screen.queryByTestId("loading")).not.toBeInTheDocument();
  });

  it("offers the upload when the camera is refused", async () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "mediaDevices", {
      value: { getUserMedia: () => Promise.reject(new DOMException("denied", "NotAllowedError")) },
      configurable: true,
    });
    render(<App />);
    await userEvent.click(screen.getByTestId("camera-start"));
    const error = await screen.findByTestId("error");
    expect(error).toHaveTextContent(/camera access was refused/i);
    expect(screen.getByRole("button", { name: "Upload a photo instead" })).toBeInTheDocument();
    await waitFor(() => expect(document.querySelector('input[type=file][accept="image/*"]')).not.toBeNull());
  });

  it("says so when the device has no camera", async () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "mediaDevices", {
      value: { getUserMedia: () => Promise.reject(new DOMException("none", "NotFoundError")) },
      configurable: true,
    });
    render(<App />);
    await userEvent.click(screen.getByTestId("camera-start"));
    expect(await screen.findByTestId("error")).toHaveTextContent(/no camera was found/i);
  });
});
