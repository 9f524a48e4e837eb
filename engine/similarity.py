"""How alike two matters read: character-bigram Jaccard similarity.

Chinese has no spaces between words, so word overlap needs a segmenter (a dictionary
that drifts with local place names and slang). Overlapping pairs of characters need
nothing: "路灯坏了" and "路灯不亮" share "路灯", and a score of 0.4 can be explained to a
clerk as "40% of the two-character pieces are the same". It is cheap enough to compare a
new case with every open case of the same place and kind on each page view.
"""

from __future__ import annotations

import re

# Letters and digits of any script; punctuation and spaces do not make two texts alike.
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
# At or above this the clerk is shown the pair (tuned on the demo's texts; see README).
THRESHOLD = 0.25


def bigrams(text: str) -> set[str]:
    """The set of adjacent character pairs of the text, ignoring case and punctuation."""
    letters = _NOISE.sub("", text.lower())
    if len(letters) == 1:
        return {letters}
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def jaccard(a: str, b: str) -> float:
    """|shared pairs| / |all pairs| of the two texts, from 0 (nothing shared) to 1."""
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
