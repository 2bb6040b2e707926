import { type ChangeEvent, type DragEvent, type RefObject, useState } from "react";
import { useT } from "../i18n";

interface Props {
  onPhoto: (file: File) => void;
  onStartCamera: () => void;
  inputRef: RefObject<HTMLInputElement | null>;
  /** A photo has been chosen already: offer "another". */
  hasPhoto: boolean;
}

/** A photo dropped on the panel, and whether one is being dragged over it now. */
function useDropzone(onPhoto: (file: File) => void) {
  const [dragging, setDragging] = useState(false);
  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const onDragLeave = () => setDragging(false);
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) onPhoto(file);
  };
  return { dragging, onDragOver, onDragLeave, onDrop };
}

/**
 * Choose a photo (on phones the same input offers the camera), drop one, or paste one; or start
 * the live camera. The plain file input keeps the OS picker's choice of gallery or camera; on touch
 * devices a second input with `capture="environment"` opens the rear camera directly (on Android
 * `capture` hides the gallery, which is why it is not on the main input). Both inputs are visually
 * hidden but keyboard-reachable; their labels look like buttons and show the focus ring.
 */
export function UploadPanel({ onPhoto, onStartCamera, inputRef, hasPhoto }: Props) {
  const { t } = useT();
  const { dragging, onDragOver, onDragLeave, onDrop } = useDropzone(onPhoto);

  const takeFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    if (file) onPhoto(file);
    event.currentTarget.value = "";
  };

  return (
    <div
      className={`dropzone${dragging ? " dropzone--active" : ""}`}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <CameraIcon />
      <p className="dropzone__title">{dragging ? t("upload.drop") : t("upload.title")}</p>
      <div className="dropzone__buttons">
        <input
          ref={inputRef}
          id="photo-input"
          className="visually-hidden"
          type="file"
          accept="image/*"
          onChange={takeFile}
        />
        <label className="button button--primary" htmlFor="photo-input">
          {hasPhoto ? t("upload.choose_another") : t("upload.choose")}
        </label>
        <input
          id="photo-capture"
          className="visually-hidden dropzone__snap-input"
          type="file"
          accept="image/*"
          capture="environment"
          onChange={takeFile}
        />
        <label className="button button--secondary dropzone__snap" htmlFor="photo-capture">
          {t("upload.take")}
        </label>
        <button type="button" className="button button--secondary" data-testid="camera-start" onClick={onStartCamera}>
          {t("upload.live")}
        </button>
      </div>
      <UploadHint />
      <p className="dropzone__hint">{t("privacy.upload")}</p>
    </div>
  );
}

function CameraIcon() {
  return (
    <svg className="dropzone__icon" viewBox="0 0 48 48" aria-hidden="true">
      <rect x="6" y="12" width="36" height="28" rx="5" />
      <circle cx="24" cy="26" r="8" />
      <path d="M17 12l3-5h8l3 5" />
    </svg>
  );
}

function UploadHint() {
  const { t } = useT();
  return (
    <p className="dropzone__hint">
      {/* Drag and paste need a mouse and keyboard: phones and tablets are not told about them. */}
      <span className="dropzone__drag" data-testid="drag-hint">
        {t("upload.hint_drag")}{" "}
      </span>
      {t("upload.hint")}
    </p>
  );
}
