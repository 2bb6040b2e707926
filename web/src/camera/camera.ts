/**
 * The rear camera: getUserMedia with facingMode "environment", and errors a person can act on.
 */
import { PageError } from "../api/client";

export async function openRearCamera(): Promise<MediaStream> {
  if (!window.isSecureContext) {
    throw new PageError(
      "camera_insecure",
      "The live camera needs a secure (https://) connection. You can still upload a photo.",
    );
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new PageError("camera_absent", "This browser cannot use a camera. Upload a photo instead.");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    throw cameraError(error);
  }
}

export function cameraError(error: unknown): PageError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return new PageError(
        "camera_refused",
        "Camera access was refused. Allow the camera for this site in your browser settings, or upload a photo " +
          "instead.",
      );
    case "NotFoundError":
    case "OverconstrainedError":
    case "DevicesNotFoundError":
      return new PageError("camera_absent", "No camera was found on this device. Upload a photo instead.");
    case "NotReadableError":
    case "AbortError":
      return new PageError(
        "camera_busy",
        "The camera is in use by another app or could not start. Close other apps using it, or upload a photo instead.",
      );
    default:
      return new PageError("camera_failed", "The camera could not be started. Upload a photo instead.");
  }
}

export function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((track) => track.stop());
}
