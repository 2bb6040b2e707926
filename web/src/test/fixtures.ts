/** Test data shared by the component and client tests. */

/** The PNG signature and a few bytes: enough for the page's content check, not a decodable image. */
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0]);

/** A server answer as `POST /api/v1/predict` returns it. */
export const ANSWER = {
  label: "benign",
  p_malignant: 0.08,
  risk: "low",
  threshold: 0.3,
  advice: "Keep watching it for changes.",
  disclaimer: "This is not a diagnosis.",
  model: { name: "skinscan", version: "1.0.0" },
};

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
