/**
 * The API's types, named for the page. They all come from `schema.ts`, which openapi-typescript
 * generates from docs/openapi.json (`make api-types`; a pytest test fails when the app and the
 * committed schema drift apart). Nothing about the API is written by hand here.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** POST /api/v1/predict, 200. */
export type Prediction = Schemas["PredictionOut"];
export type Label = Prediction["label"];
export type Risk = Prediction["risk"];
/** POST /api/v1/predict, 422 for a photo the model will not judge. */
export type Refusal = Schemas["RefusalOut"];
export type RefusalReason = Refusal["reasons"][number];
/** Every other error: `{detail, code}`. */
export type ApiError = Schemas["ErrorOut"];
export type Health = Schemas["HealthOut"];
