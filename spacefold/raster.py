"""Pictures without a browser: a frame's stages drawn with Pillow, as the page draws them
(regions behind, the warped grid, points by class, dead marks, the classifier's line)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from engine.palette import AXIS, DEAD_MARK, FRAME, GRID_LINE, INK, MUTED, class_color, rgb
from nets.probe import fit_extent
from spacefold.captions import Lang, say
from spacefold.fonts import Font
from spacefold.fonts import font as text_font
from spacefold.frame import Frame, Map, stage_title
from spacefold.regions import region_rgb

Box = tuple[float, float, float, float]
FAR = 1e5  # px: coordinates are clamped here
TITLE = 20  # px of caption above each panel
Size = tuple[int, int]


def font(size: int = 13, text: str = "") -> Font:
    return text_font(size, text)


class View:
    """Data coordinates to pixels: at least ``box`` shown in a w × h image, one scale."""

    def __init__(self, box: Box, w: int, h: int, pad: int = 4) -> None:
        x0, x1, y0, y1 = box
        self.s = min((w - 2 * pad) / max(x1 - x0, 1e-9), (h - 2 * pad) / max(y1 - y0, 1e-9))
        self.ox = w / 2 - self.s * (x0 + x1) / 2
        self.oy = h / 2 + self.s * (y0 + y1) / 2

    def px(self, xy: np.ndarray) -> np.ndarray:
        out = np.stack([self.ox + self.s * xy[..., 0], self.oy - self.s * xy[..., 1]], axis=-1)
        return np.clip(np.nan_to_num(out, nan=FAR), -FAR, FAR)


def _regions(frame: Frame, k: int, view: View, size: Size, carry: Map | None) -> Image.Image:
    """The region image of stage ``k`` resampled onto the panel (moved by ``carry``)."""
    w, h = size
    regions = frame.regions(k)
    white = Image.new("RGB", size, "white")
    if regions is None:
        return white
    cells = region_rgb(regions, frame.classes)[::-1]  # top row first: the highest y
    factor = 4
    image = Image.fromarray(np.ascontiguousarray(cells)).resize(
        (cells.shape[1] * factor, cells.shape[0] * factor), Image.Resampling.BILINEAR
    )
    xs, ys = regions.xs.astype(np.float64), regions.ys.astype(np.float64)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    left, top = xs[0] - dx / 2, ys[-1] + dy / 2
    # pixel (u, v) of the panel -> data p -> before the carry q -> pixel of the region image
    to_data = np.array(
        [[1 / view.s, 0, -view.ox / view.s], [0, -1 / view.s, view.oy / view.s], [0, 0, 1]]
    )
    back = np.eye(3)
    if carry is not None:
        m, c = carry
        if abs(np.linalg.det(m)) < 1e-9:
            return white
        inv = np.linalg.inv(m)
        back = np.block([[inv, (-inv @ c)[:, None]], [np.zeros((1, 2)), np.ones((1, 1))]])
    to_image = np.array(
        [[factor / dx, 0, -left * factor / dx], [0, -factor / dy, top * factor / dy], [0, 0, 1]]
    )
    a = (to_image @ back @ to_data)[:2].ravel()
    return image.transform(
        (w, h),
        Image.Transform.AFFINE,
        tuple(a),
        resample=Image.Resampling.BILINEAR,
        fillcolor="white",
    )


def _polylines(draw: ImageDraw.ImageDraw, lines: np.ndarray, color: tuple[int, ...]) -> None:
    for line in lines:
        draw.line([tuple(p) for p in line.tolist()], fill=color, width=1)


def draw_plane(
    frame: Frame,
    k: int,
    size: Size,
    *,
    points: np.ndarray | None = None,
    grid: np.ndarray | None = None,
    box: Box | None = None,
    carry: Map | None = None,
    regions: bool = True,
    marks: bool = True,
) -> Image.Image:
    """Stage ``k`` of ``frame`` in a ``size`` image: its regions, grid and points (or the
    ``points`` and ``grid`` given, e.g. a morph position, over stage k's regions moved by
    ``carry``)."""
    w, h = size
    view = View(box or frame.extent(k), w, h)
    image = _regions(frame, k, view, size, carry) if regions else Image.new("RGB", size, "white")
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    zero = view.px(np.zeros(2))
    draw.line([(zero[0], 0), (zero[0], h)], fill=(*rgb(AXIS), 255))
    draw.line([(0, zero[1]), (w, zero[1])], fill=(*rgb(AXIS), 255))
    lines = frame.grid(k)[..., :2] if grid is None else grid
    _polylines(draw, view.px(lines), (*GRID_LINE[:3], round(255 * GRID_LINE[3])))
    image = Image.alpha_composite(image.convert("RGBA"), layer)
    draw = ImageDraw.Draw(image)
    if marks and (line := frame.boundary(k)) is not None:
        _dashed(draw, view, line, box or frame.extent(k))
    xy = view.px((frame.points(k)[:, :2] if points is None else points).astype(np.float64))
    # Under the dots, as on the page: a square around a dead point, a ring around a merged one;
    # the class colour stays in sight.
    dead = frame.dead(k) if marks else None
    if dead is not None:
        for x, y in xy[dead.astype(bool)].tolist():
            draw.rectangle([x - 5, y - 5, x + 5, y + 5], outline=DEAD_MARK, width=1)
    merged = frame.merged(k) if marks else None
    if merged is not None:
        for x, y in xy[merged.astype(bool)].tolist():
            draw.ellipse([x - 4.5, y - 4.5, x + 4.5, y + 4.5], outline=DEAD_MARK, width=2)
    _points(draw, frame, xy)
    draw.rectangle([0, 0, w - 1, h - 1], outline=rgb(FRAME))
    return image.convert("RGB")


def _points(draw: ImageDraw.ImageDraw, frame: Frame, xy: np.ndarray, r: float = 3.0) -> None:
    labels = frame.labels
    if frame.regression:
        low, high = float(labels.min()), float(labels.max())
        span = high - low if high > low else 1.0
    for i, (x, y) in enumerate(xy.tolist()):
        if frame.regression:
            t = (float(labels[i]) - low) / span
            a, b = np.array(rgb(class_color(0))), np.array(rgb(class_color(1)))
            color = tuple(int(v) for v in np.rint(a + (b - a) * t))
        else:
            color = rgb(class_color(int(labels[i])))
        fill = color if i < frame.n_train else (255, 255, 255)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=color)


def _dashed(draw: ImageDraw.ImageDraw, view: View, line: list[float], box: Box) -> None:
    a, b, c = line
    x0, x1, y0, y1 = box
    if abs(b) >= abs(a) and b != 0:
        ends = np.array([[x0, -(a * x0 + c) / b], [x1, -(a * x1 + c) / b]])
    elif a != 0:
        ends = np.array([[-(b * y0 + c) / a, y0], [-(b * y1 + c) / a, y1]])
    else:
        return
    p, q = view.px(ends)
    length = float(np.hypot(*(q - p)))
    dashes = max(1, int(length // 12))
    for i in range(dashes):
        u, v = p + (q - p) * (i / dashes), p + (q - p) * ((i + 0.5) / dashes)
        draw.line([tuple(u), tuple(v)], fill=INK, width=2)


def captioned(image: Image.Image, caption: str) -> Image.Image:
    """``image`` under a one-line caption."""
    out = Image.new("RGB", (image.width, image.height + TITLE), "white")
    out.paste(image, (0, TITLE))
    ImageDraw.Draw(out).text((4, 3), caption, fill=MUTED, font=font(13, caption))
    return out


def panel(frame: Frame, k: int, size: Size, lang: Lang = "en") -> Image.Image:
    """One stage, captioned in ``lang``, filling ``size``."""
    w, h = size
    return captioned(draw_plane(frame, k, (w, h - TITLE)), stage_title(frame.stages[k], lang))


def strip(
    frame: Frame, size: Size, stages: Sequence[int] | None = None, lang: Lang = "en"
) -> Image.Image:
    """The stages side by side in one ``size`` image (as the page's stage strip)."""
    chosen = list(range(frame.n_stages)) if stages is None else list(stages)
    w, h = size
    out = Image.new("RGB", size, "white")
    cell = w // len(chosen)
    for i, k in enumerate(chosen):
        out.paste(panel(frame, k, (cell - 4, h), lang), (i * cell + 2, 0))
    return out


def morph_frames(
    frame: Frame, positions: Sequence[float], size: Size, lang: Lang = "en"
) -> list[Image.Image]:
    """The morph at each position s, framed on its points: the regions ride along 2×2
    affine steps; straight steps are drawn without them."""
    states = [(s, frame.morph_at(s), frame.morph_at(s, "grid")) for s in positions]
    w, h = size
    frames = []
    for s, p, g in states:
        k = min(int(np.floor(s)), frame.n_stages - 1)
        carry = frame.morph_map(s)
        exact = float(s) == float(k)
        box = fit_extent(p)  # the view follows the points, as the page's close-up does
        plane = draw_plane(
            frame,
            k,
            (w, h - TITLE),
            points=p,
            grid=g,
            box=box,
            carry=carry,
            regions=exact or carry is not None,
            marks=False,
        )
        title = stage_title(frame.stages[k], lang)
        frames.append(captioned(plane, say("stage", lang, s=f"{s:.2f}", title=title)))
    return frames
