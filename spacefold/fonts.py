"""The fonts the headless pictures are drawn with: Pillow's own for Latin text, a CJK font
found on the machine (fontconfig first, then the paths Debian's packages use) for Chinese.
When a caption needs a CJK font and none is installed, one line on stderr says so."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from PIL import ImageFont

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont

KNOWN_CJK = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
NO_CJK = (
    "spacefold: no CJK font found, Chinese captions will show as boxes "
    "(install one, e.g. apt-get install fonts-wqy-microhei)"
)


def needs_cjk(text: str) -> bool:
    """Whether ``text`` holds a character of the CJK blocks (ideographs, kana, CJK punctuation,
    full-width forms), which Pillow's own font cannot draw."""
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" for ch in text)


def _fontconfig_cjk() -> str | None:
    if shutil.which("fc-list") is None:
        return None
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in listed.splitlines() if line.strip())
    return files[0] if files else None


@cache
def cjk_font_path() -> Path | None:
    """A font file on this machine that draws Chinese, or None."""
    found = _fontconfig_cjk()
    candidates = ([found] if found else []) + list(KNOWN_CJK)
    for name in candidates:
        if Path(name).is_file():
            return Path(name)
    return None


@cache
def _warn_no_cjk() -> None:
    print(NO_CJK, file=sys.stderr)


def font(size: int = 13, text: str = "") -> Font:
    """A font of ``size`` px that draws ``text``: a CJK font when the text needs one and one is
    installed (else Pillow's own, after one line on stderr)."""
    if needs_cjk(text):
        path = cjk_font_path()
        if path is not None:
            return _cjk_font(path, size)
        _warn_no_cjk()
    return ImageFont.load_default(size=size)


@cache
def _cjk_font(path: Path, size: int) -> Font:
    """The CJK font at ``size``, read and parsed once (the file is several MB)."""
    return ImageFont.truetype(str(path), size)
