import { useCallback, useEffect, useRef, useState } from "react";
import { checkPhoto, PageError, predict } from "../api/client";
import type { Prediction } from "../api/types";
import type { PhotoSource } from "../components/PhotoPreview";
import { squareThumbnailUrl } from "../history/thumbnail";
import { decodePhoto, readPixels } from "../inference/decode";
import { fetchCard, sharedWorker } from "../inference/model";
import { useAnswers } from "../questions/AnswersContext";

export type Status = "idle" | "analysing" | "done" | "error";

/** Above this the "what the model sees" square is skipped (the crop outline still shows). */
const MAX_THUMBNAIL_PIXELS = 16_000_000;
/** The answer waits at most this long for the model's square (the thumbnail of a saved check). */
const PREVIEW_WAIT_MS = 2_500;

function asPageError(error: unknown): PageError {
  return error instanceof PageError ? error : new PageError("unexpected");
}

/** The photo the page is looking at: its crop and the exact square the model sees. */
function usePhoto() {
  const [photo, setPhoto] = useState<PhotoSource | null>(null);
  const photoUrl = photo?.url;
  useEffect(() => () => void (photoUrl && URL.revokeObjectURL(photoUrl)), [photoUrl]);

  const preview = useCallback(async (blob: Blob, name: string) => {
    const url = URL.createObjectURL(blob);
    let bitmap: ImageBitmap;
    try {
      bitmap = await decodePhoto(blob);
    } catch {
      URL.revokeObjectURL(url);
      setPhoto(null);
      return;
    }
    // The card says how large a square the model takes. Without it (or for a huge photo) the
    // caption gives the photo's own size and the history gets the centred square drawn by the canvas.
    const size = (await fetchCard().catch(() => null))?.input.size ?? 0;
    const readable = size > 0 && bitmap.width * bitmap.height <= MAX_THUMBNAIL_PIXELS;
    const squareThumbnail = readable ? null : squareThumbnailUrl(bitmap, bitmap.width, bitmap.height);
    const base: PhotoSource = {
      url,
      name,
      width: bitmap.width,
      height: bitmap.height,
      modelInput: null,
      modelSize: size,
      squareThumbnail,
    };
    setPhoto(base);
    if (!readable) {
      bitmap.close(); // reading back a huge photo's pixels would cost hundreds of MB on a phone
      return;
    }
    let update: Partial<PhotoSource>;
    try {
      update = { modelInput: await sharedWorker().modelInput(readPixels(bitmap, bitmap.width, bitmap.height), size) };
    } catch {
      // The crop outline is still shown; the history gets the canvas-drawn square instead.
      update = { squareThumbnail: squareThumbnailUrl(bitmap, bitmap.width, bitmap.height) };
    } finally {
      bitmap.close();
    }
    setPhoto((current) => (current?.url === url ? { ...base, ...update } : current));
  }, []);

  return { photo, setPhoto, preview };
}

/** Send photos to the server (upload, drop, paste or captured frame) and hold the answer or error. */
export function useAnalysis() {
  const [status, setStatus] = useState<Status>("idle");
  const [result, setResult] = useState<Prediction | null>(null);
  const [checkedAt, setCheckedAt] = useState(0);
  const [error, setError] = useState<PageError | null>(null);
  const { photo, setPhoto, preview } = usePhoto();
  const request = useRef<AbortController | null>(null);
  const { ref: answersRef } = useAnswers();

  const analyse = useCallback(
    async (blob: Blob, name: string) => {
      request.current?.abort();
      const controller = new AbortController();
      request.current = controller;
      setResult(null);
      setError(null);
      setStatus("analysing");
      // The answer waits (briefly) for the model's square too, so a check saved at once has its picture.
      const shown = Promise.race([preview(blob, name), new Promise((r) => window.setTimeout(r, PREVIEW_WAIT_MS))]);
      try {
        await checkPhoto(blob);
        const [answer] = await Promise.all([predict(blob, name, controller.signal, answersRef.current), shown]);
        if (controller.signal.aborted) return;
        setResult(answer);
        setCheckedAt(Date.now());
        setStatus("done");
      } catch (caught) {
        if (controller.signal.aborted) return;
        setError(asPageError(caught));
        setStatus("error");
      }
    },
    [preview, answersRef],
  );

  const fail = useCallback((caught: unknown) => {
    setError(asPageError(caught));
    setStatus("error");
  }, []);

  /** Back to the start (e.g. when the live camera opens): no photo, answer or error. */
  const reset = useCallback(() => {
    request.current?.abort();
    setError(null);
    setPhoto(null);
    setResult(null);
    setStatus("idle");
  }, [setPhoto]);

  return { status, result, checkedAt, error, photo, analyse, fail, reset };
}
