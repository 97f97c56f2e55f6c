"""The words of the headless pictures' captions, in English and Chinese (the page's own words
for its stages, `stage.*` in frontend/i18n.js)."""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
STAGE_KINDS = ("input", "features", "affine", "fold", "output")

WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "input": "input",
        "features": "features",
        "affine": "affine {layer}",
        "fold": "fold {layer}",
        "output": "output",
        "units": " (units {a}, {b})",
        "pca": " (PCA)",
        "step": "step {step}",
        "stage": "stage {s}  ({title})",
    },
    "zh": {
        "input": "输入",
        "features": "特征",
        "affine": "仿射 {layer}",
        "fold": "折叠 {layer}",
        "output": "输出",
        "units": "（单元 {a}, {b}）",  # noqa: RUF001 (Chinese brackets)
        "pca": "（主成分）",  # noqa: RUF001 (Chinese brackets)
        "step": "第 {step} 步",
        "stage": "阶段 {s}（{title}）",  # noqa: RUF001 (Chinese brackets)
    },
}


def say(key: str, lang: Lang = "en", **values: Any) -> str:
    """The caption ``key`` in ``lang``, filled with ``values``."""
    return WORDS[lang][key].format(**values)
