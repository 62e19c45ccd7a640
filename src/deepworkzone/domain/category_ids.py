"""The ids of the preset categories, as the wire models check them.

The lists themselves are blocklists/*.txt, read by blocking/categories.py; domain/ reads no
files, so the ids are named here too, and tests/unit/test_models_limits.py fails when the two
disagree (a category file added or removed without this list).
"""

from __future__ import annotations

CATEGORY_IDS = ("adult", "gambling", "gaming", "news", "shopping", "social-media", "video")
