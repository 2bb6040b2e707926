import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { decodePhoto, readPixels } from "./inference/decode";
import { loadModel } from "./inference/model";
import "./styles/main.scss";

declare global {
  interface Window {
    /** Diagnostics for the browser tests: the in-browser probability of a photo, as the live mode computes it. */
    __skinscan?: { classifyPhoto: (photo: Blob) => Promise<number> };
  }
}

window.__skinscan = {
  async classifyPhoto(photo: Blob): Promise<number> {
    const { worker } = await loadModel();
    const bitmap = await decodePhoto(photo);
    try {
      return (await worker.classify(readPixels(bitmap, bitmap.width, bitmap.height))).p;
    } finally {
      bitmap.close();
    }
  },
};

const root = document.getElementById("root");
if (!root) throw new Error("index.html lacks #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
