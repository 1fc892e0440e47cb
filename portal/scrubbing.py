"""Personal details and invisible characters taken out of visitors' comments.

Applied by `feedback.forms.FeedbackForm` before a comment is stored and by
`guidance.search` before a search term is counted; what it catches and what
it cannot is in docs/feedback_privacy.md.
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


# An address written out to dodge filters: "jane (at) example (dot) com",
# "jane [at] example.com" (a bracketed "at" is never ordinary prose), or with
# a plain " at " only when it ends in a common top-level domain, so that "we
# met at the park. Then" and "the page at the top" are left alone.
_DOT = r"(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+|\.)"
_TOP_LEVEL_DOMAINS = r"(?:com|org|net|uk|co|io|me|edu|gov|info|biz|ie|us|ac|sch)"
OBFUSCATED_EMAIL_PATTERNS = [
    re.compile(rf"[\w.%+-]+\s*[(\[{{]\s*at\s*[)\]}}]\s*[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE),
    re.compile(
        rf"\b[\w.%+-]+\s+at\s+[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TOP_LEVEL_DOMAINS}\b", re.IGNORECASE
    ),
]

# A date of birth, when introduced as one: "born 03/04/2010", "DOB 3 April
# 2010", "date of birth: April 3rd". Other dates (when something happened)
# stay, and so does a year alone ("born in 2010").
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_ORDINAL}(?:\s+of)?\s+(?:{_MONTHS})\b\.?(?:,?\s+\d{{2,4}})?"
    rf"|(?:{_MONTHS})\b\.?\s+{_ORDINAL}(?:,?\s+\d{{2,4}})?)"
)
DATE_OF_BIRTH_PATTERN = re.compile(
    rf"(?P<keep>\b(?:born(?:\s+on)?|d\.?o\.?b\b\.?|date\s+of\s+birth|birthday|b-?day)"
    rf"(?:\s+(?:is|was))?\s*[:=-]?\s*)(?P<found>{_DATE})",
    re.IGNORECASE,
)

# Words that follow "I'm", "my name is" or "my snapchat is" without being a
# name or a username: "I'm Not sure", "my snap is private".
NOT_A_NAME = frozenset(
    """
    a about afraid age aged also always am an and any anyone as at because been being
    blocked both british broken but can carer child clear closed concerned confused could
    dad deleted different do down english feeling fine for from going gone had hacked happy
    has have he her here his how i i'd i'll i'm i've id if im in irish is it it's its ive
    just live living locked looking me mum my new no not now of ok okay old on one only open
    or our parent please private public really sad same scared scottish she so sorry still
    struggling sure teacher that the their them then they this to too trying uk unsure very
    was we welsh what when who why will with worried would year years yes you your
    ceop childline nspcc police snapchat instagram tiktok facebook whatsapp discord roblox
    """.split()  # noqa: SIM905 - a word list reads and grows more easily as text
)
_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_CAPITALISED = r"[A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*"
# A name after words that say one follows, in any case: "my name is jane smith",
# "her name's Amy", "my son's name is tom", "call me Jo".
STATED_NAME_PATTERN = re.compile(
    rf"(?P<keep>\b(?:(?:my|his|her|their|our|your)\s+(?:\w+['’]s\s+)?names?(?:\s+(?:is|was)|\s*:|['’]s)?"
    rf"|call\s+me|i\s+am\s+called|i['’]?m\s+called)\s+)(?P<found>{_WORD}(?:\s+{_WORD}){{0,2}})",
    re.IGNORECASE,
)
# A capitalised name after a weaker hint: "I'm Jane", "this is Tom", "my son Alex".
_RELATIONS = (
    r"(?:(?:step|grand|little|big|older|younger|best|ex)[-\s]?)?(?:sons?|daughters?|child|kids?|boy"
    r"|girl|brother|sister|friend|boyfriend|girlfriend|bf|gf|mum|mom|mother|dad|father|cousin"
    r"|nephew|niece|uncle|aunt|auntie|teacher|coach|partner|husband|wife|neighbour|neighbor)"
)
HINTED_NAME_PATTERN = re.compile(
    rf"(?P<keep>\b(?i:i['’]?m|i\s+am|this\s+is|it['’]?s"
    rf"|(?:my|our|his|her|their)\s+{_RELATIONS}(?:\s+(?:called|named))?,?)\s+)"
    rf"(?P<found>{_CAPITALISED}(?:\s+{_CAPITALISED})?)"
)
# Social media usernames: "@jane_smith" anywhere, and a username introduced as
# one ("my snapchat is jane.s", "insta: jane_s", "add me on snap jane123").
_PLATFORMS = (
    r"snap(?:chat)?|sc|insta(?:gram)?|ig|tik\s?tok|tt|twitter|discord|kik|telegram|whatsapp"
    r"|facebook|fb|roblox|xbox|psn|fortnite|minecraft|steam|twitch|youtube|yt|reddit|wizz|yubo"
    r"|threads|bereal|pinterest|gamertag|username|user\s?name|handle"
)
AT_HANDLE_PATTERN = re.compile(r"(?<![\w@])@[\w](?:[\w.]*\w)?")
STATED_HANDLE_PATTERN = re.compile(
    rf"(?P<keep>\b(?:(?:my|his|her|their|our|your)\s+(?:{_PLATFORMS})"
    rf"(?:\s+(?:name|username|handle|id|account|tag))?(?:\s+is|['’]s|\s*[:=])"
    rf"|(?:{_PLATFORMS})\s*(?:name|username|handle|id|tag)?\s*[:=]"
    rf"|add\s+(?:me|him|her|them)\s+on\s+(?:{_PLATFORMS})(?:\s*[:=-]|\s+(?:is|as))?)\s*)"
    r"(?P<found>[\w.]{2,30})",
    re.IGNORECASE,
)


def _scrub_phone(match):
    digits = sum(char.isdigit() for char in match.group())
    return REMOVED if digits >= PHONE_MIN_DIGITS else match.group()


def _scrub_found(match):
    """Keep the words that introduced it; replace the leading words that are not NOT_A_NAME."""
    found = match.group("found")
    end = 0
    for word in re.finditer(r"[^\s]+", found):
        if word.group().lower().strip(".,'’") in NOT_A_NAME:
            break
        end = word.end()
    if not end:
        return match.group()
    return match.group("keep") + REMOVED + found[end:]


def scrub_personal_data(text):
    """Replace e-mail addresses, NI numbers, postcodes, phone numbers, dates of birth,
    usernames and names introduced as such. See docs/feedback_privacy.md for what it misses."""
    text = EMAIL_PATTERN.sub(REMOVED, text)
    for pattern in OBFUSCATED_EMAIL_PATTERNS:
        text = pattern.sub(REMOVED, text)
    text = NATIONAL_INSURANCE_PATTERN.sub(REMOVED, text)
    text = POSTCODE_PATTERN.sub(REMOVED, text)
    text = DATE_OF_BIRTH_PATTERN.sub(lambda match: match.group("keep") + REMOVED, text)
    text = PHONE_CANDIDATE_PATTERN.sub(_scrub_phone, text)
    text = AT_HANDLE_PATTERN.sub(REMOVED, text)
    text = STATED_HANDLE_PATTERN.sub(_scrub_found, text)
    text = STATED_NAME_PATTERN.sub(_scrub_found, text)
    return HINTED_NAME_PATTERN.sub(_scrub_found, text)
