"""Personal details and invisible characters taken out of visitors' comments.

Applied by `feedback.forms.FeedbackForm` before anything is stored; what it
catches and what it cannot is in docs/feedback_privacy.md.
"""

import re
import unicodedata

REMOVED = "[removed]"

EMAIL_PATTERN = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Any two letters, not only HMRC's valid prefixes: a mistyped number is still personal.
NATIONAL_INSURANCE_PATTERN = re.compile(
    r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE
)
POSTCODE_PATTERN = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", re.IGNORECASE)
# Any run of digits and separators holding 9 or more digits reads as a phone
# number (UK numbers have 10 or 11); 999, 101 and dates are left alone.
PHONE_CANDIDATE_PATTERN = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{7,}\d(?!\w)")
PHONE_MIN_DIGITS = 9

# Invisible direction controls can disguise text shown to staff: the
# embeddings, overrides and isolates, and the marks (LRM, RLM, ALM), all alike.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)


def remove_control_characters(text):
    """Drop NUL and other control characters, keeping line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.translate(BIDI_CONTROLS)
    return "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")


def _scrub_phone(match):
    digits = sum(char.isdigit() for char in match.group())
    return REMOVED if digits >= PHONE_MIN_DIGITS else match.group()


def scrub_personal_data(text):
    """Replace e-mail addresses, NI numbers, postcodes and phone numbers."""
    text = EMAIL_PATTERN.sub(REMOVED, text)
    text = NATIONAL_INSURANCE_PATTERN.sub(REMOVED, text)
    text = POSTCODE_PATTERN.sub(REMOVED, text)
    return PHONE_CANDIDATE_PATTERN.sub(_scrub_phone, text)
