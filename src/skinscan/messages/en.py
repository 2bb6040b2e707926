"""English texts (the reference catalogue: every other language has exactly these keys)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "disclaimer": (
        "This is not a diagnosis. skinscan is a research tool and it can be wrong; only a doctor who examines "
        "you can diagnose a skin lesion. If a spot is new, changing, bleeding or worries you, see a doctor, "
        "whatever this result says."
    ),
    # Advice leads with the band and what to do; it never reassures when the label is malignant.
    "advice.low": (
        "Low risk: nothing in this photo calls for an urgent visit. No photo can rule out skin cancer, so keep "
        "an eye on the spot and see a doctor if it changes in size, shape or colour, bleeds, itches or worries "
        "you (warning signs, ABCDE: Asymmetry, irregular Border, several Colours, Diameter over 6 mm, Evolving)."
    ),
    "advice.medium": (
        "Medium risk: book an appointment with a doctor or dermatologist in the next few weeks to have this "
        "spot checked. The model cannot rule out a malignant lesion here, and only an examination can tell."
    ),
    "advice.high": (
        "High risk: see a doctor or dermatologist soon, within the next two weeks, and show them this spot. "
        "This is not a diagnosis, but it should not wait."
    ),
    "refusal.photo_unusable": "The model cannot judge this photo, so it gives no estimate. Please take another one.",
    "refusal.not_a_lesion": (
        "This does not look like a close-up of a spot on the skin, so the model gives no estimate."
    ),
    "hint.out_of_focus": "The photo is blurred: hold the phone still and tap the spot on the screen to focus.",
    "hint.too_dark": "The photo is too dark: take it in more light, for example near a window in daylight.",
    "hint.overexposed": "The photo is too bright: avoid direct sun, the flash and glare.",
    "hint.low_contrast": "The spot is hard to make out: move closer so that it fills most of the frame.",
    "hint.too_small": "The photo is too small: use a larger photo or move closer.",
    "hint.not_a_lesion": "Point the camera at one spot on the skin, close up.",
    # Errors: English answers keep the specific message of the code that raised them; these are the
    # texts other languages translate (and the English fallback when a message has none).
    "error.empty_file": "The upload is empty: choose a photo (JPEG, PNG or WebP).",
    "error.not_an_image": "This file is not an image. Upload a photo as JPEG, PNG or WebP.",
    "error.unsupported_type": "This kind of file is not supported. Upload a photo as JPEG, PNG or WebP.",
    "error.too_many_pixels": "The photo has too many pixels. Upload a smaller photo.",
    "error.corrupt_image": "The photo is damaged and cannot be read. Try another photo.",
    "error.malformed_jpeg": (
        "This JPEG's structure is padded with junk or damaged in a way no camera writes. Save it again and retry."
    ),
    "error.image_too_small": "The photo is too small to judge. Use a larger photo.",
    "error.upload_too_large": "The file is too large. Upload a smaller photo.",
    "error.too_large": "The request is too large.",
    "error.malformed_multipart": "The upload is malformed. Send the photo as the form field 'image'.",
    "error.incomplete_body": "The upload was cut off before it was complete. Please try again.",
    "error.not_multipart": "Send the photo as multipart/form-data in the field 'image'.",
    "error.missing_field": "No photo was sent: put it in the form field 'image'.",
    "error.upload_timeout": "The upload took too long to arrive. Please try again.",
    "error.rate_limited": "Too many requests. Please wait a moment and try again.",
    "error.not_found": "Not found.",
    "error.method_not_allowed": "This method is not allowed here.",
    "error.validation_error": "The request is invalid.",
    "error.bad_request": "The request is invalid.",
    "error.http_error": "The request failed.",
    "error.invalid_answers": "Some answers are not valid (age: whole years 1-120; the others: yes, no or unknown):",
    "error.body_not_allowed": "This address takes no request body. Send the request without one.",
    "error.body_timeout": "The request body took too long to arrive. Please try again.",
    "error.body_too_slow": "The request body arrived too slowly. Please try again on a better connection.",
    "error.chunks_too_small": "The request body was sent in chunks that are too small.",
    "error.client_gone": "The connection closed before the photo was decoded.",
    "error.decode_too_slow": "Decoding this photo took too long. Send a smaller or plainer photo.",
    "error.decoder_busy": "The server is busy decoding other photos. Please try again in a moment.",
    "error.forbidden": "Access to this address is not allowed.",
    "error.header_timeout": "The request headers took too long to arrive.",
    "error.headers_too_large": "The request headers are too large.",
    "error.part_headers_too_large": "The upload's part headers are too large. Send the photo in the field 'image'.",
    "error.range_not_satisfiable": "The requested range of the file cannot be served.",
    "error.request_timeout": "The request took too long.",
    "error.server_busy": "The server is busy. Please try again in a few seconds.",
    "error.shutting_down": "The server is restarting and could not finish this request. Please try again.",
    "error.too_many_part_headers": "A part of the upload has too many headers. Send the photo in the field 'image'.",
    "error.too_many_parts": "The upload has too many parts. Send the photo in the field 'image'.",
    "error.too_many_scans": (
        "This JPEG is stored in too many scans and would take too long to decode. Save it again as a plain JPEG."
    ),
    "error.trailers_too_large": "The request's trailing headers are too large.",
    "error.unavailable": "The service is unavailable. Please try again shortly.",
    "error.cors_rejected": "This website is not allowed to call the API.",
    "error.internal_error": "Something went wrong on our side. Please try again.",
}
