"""``spacefold render``: train a preset or an experiment file headless and write a picture (PNG)
or an animation (GIF, MP4) of a view, for slides. No browser, no network."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from PIL import Image

from engine.errors import Refused
from engine.presets import PRESETS
from nets.train import Diverged
from spacefold import raster
from spacefold.captions import LANGS, Lang, say
from spacefold.experiment import Experiment
from spacefold.figures import morph_span
from spacefold.frame import Frame

VIEWS = ("strip", "focus", "morph", "training")
STILL = (".png",)
MOVING = (".gif", ".mp4")


class RenderError(Exception):
    """A bad argument or an experiment that cannot be drawn: one line for the user."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line and exit status 2, no usage dump."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size is WIDTHxHEIGHT in pixels, not {text!r}") from None
    if not (160 <= w <= 4096 and 120 <= h <= 4096):
        raise argparse.ArgumentTypeError("size must be 160 to 4096 wide and 120 to 4096 high")
    return w, h


def count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} up to {high}")
        return value

    parse.__name__ = "int"
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="spacefold render", description="Train headless and write a PNG, GIF or MP4 of a view."
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,
        help="a preset to train (default: 'default')",
    )
    source.add_argument(
        "--experiment", type=Path, default=None, help="an experiment file exported from the page"
    )
    parser.add_argument(
        "--steps",
        type=count(0, 100_000),
        default=300,
        help="optimizer steps to train first (default 300)",
    )
    parser.add_argument(
        "--view",
        choices=VIEWS,
        default="strip",
        help="strip, focus (one stage), morph or training (default strip)",
    )
    parser.add_argument(
        "--stage",
        type=count(0, 22),
        default=None,
        help="the stage of --view focus (default 0, the input plane); with "
        "--view training, draw this stage instead of the strip",
    )
    parser.add_argument(
        "--layer",
        type=count(1, 11),
        default=None,
        help="morph through this layer only (default: the whole network)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the file to write; .png, .gif or .mp4 picks the format",
    )
    parser.add_argument(
        "--frames", type=count(2, 600), default=40, help="frames of an animation (default 40)"
    )
    parser.add_argument(
        "--fps", type=count(1, 60), default=12, help="frames a second of an animation (default 12)"
    )
    parser.add_argument(
        "--size",
        type=size,
        default=None,
        help="WIDTHxHEIGHT in pixels (default 1600x260 for the strip, 640x660 otherwise)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help="the language of the captions: en or zh (default en)",
    )
    parser.add_argument(
        "--seed",
        type=count(0, 2**31 - 1),
        default=None,
        help="seed of the data and the weights (default: the experiment's)",
    )
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def check(args: argparse.Namespace) -> str:
    """The output format, once the arguments agree with one another."""
    suffix = str(args.out.suffix).lower()
    if suffix not in STILL + MOVING:
        raise RenderError(f"--out must end in .png, .gif or .mp4, not {args.out.name!r}")
    animated = args.view in ("morph", "training")
    if animated and suffix in STILL:
        raise RenderError(f"--view {args.view} is an animation: write a .gif or .mp4")
    if not animated and suffix in MOVING:
        raise RenderError(f"--view {args.view} is one picture: write a .png")
    if not args.out.parent.is_dir():
        raise RenderError(f"the folder {args.out.parent} does not exist")
    if args.layer is not None and args.view != "morph":
        raise RenderError("--layer goes with --view morph")
    if args.stage is not None and args.view not in ("focus", "training"):
        raise RenderError("--stage goes with --view focus or --view training")
    return suffix


def load(args: argparse.Namespace) -> Experiment:
    try:
        if args.experiment is not None:
            return Experiment.from_file(args.experiment, seed=args.seed)
        return Experiment.from_preset(args.preset or "default", seed=args.seed)
    except ValueError as exc:
        raise RenderError(str(exc)) from None


def picture(
    frame: Frame, stage: int | None, wanted: tuple[int, int] | None, lang: Lang = "en"
) -> Image.Image:
    """The stage strip (``stage`` None) or one stage, captioned in ``lang``."""
    if stage is None:
        return raster.strip(frame, wanted or (1600, 260), lang=lang)
    if stage >= frame.n_stages:
        raise RenderError(
            f"--stage {stage} does not exist: this network has stages 0 to {frame.n_stages - 1}"
        )
    return raster.panel(frame, stage, wanted or (640, 660), lang)


def morph(frame: Frame, args: argparse.Namespace) -> list[Image.Image]:
    try:
        first, last = morph_span(frame, args.layer)
    except IndexError as exc:
        raise RenderError(f"--layer: {exc}") from None
    n = args.frames
    positions = [first + (last - first) * i / (n - 1) for i in range(n)]
    return raster.morph_frames(frame, positions, args.size or (640, 660), args.lang)


def training(exp: Experiment, args: argparse.Namespace) -> list[Image.Image]:
    """The strip (or the stage of --stage) at ``--frames`` moments spread over the training."""
    n, steps, done = args.frames, args.steps, 0
    wanted = None if args.size is None else (args.size[0], args.size[1] - raster.TITLE)
    images = []
    for i in range(n):
        target = round(steps * i / (n - 1))
        exp.train(target - done)
        done = target
        still = picture(exp.frame(), args.stage, wanted, args.lang)
        images.append(raster.captioned(still, say("step", args.lang, step=exp.step)))
    return images


def write(images: list[Image.Image], out: Path, suffix: str, fps: int) -> None:
    if suffix == ".png":
        images[0].save(out, format="PNG")
    elif suffix == ".gif":
        images[0].save(
            out,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=round(1000 / fps),
            loop=0,
        )
    else:
        write_mp4(images, out, fps)


def write_mp4(images: list[Image.Image], out: Path, fps: int) -> None:
    try:
        import imageio.v2 as imageio
    except ImportError:
        raise RenderError(
            "MP4 needs imageio and imageio-ffmpeg "
            "(pip install imageio imageio-ffmpeg); or write a .gif"
        ) from None
    w, h = images[0].size
    w, h = w - w % 2, h - h % 2  # H.264 in yuv420p takes even sizes only
    try:
        writer: Any = imageio.get_writer(
            out,
            format="FFMPEG",
            fps=fps,
            codec="libx264",
            pixelformat="yuv420p",
            macro_block_size=1,
            ffmpeg_log_level="error",
        )
        with writer:
            for image in images:
                writer.append_data(np.asarray(image.crop((0, 0, w, h))))
    except (RuntimeError, ValueError) as exc:  # no ffmpeg, or ffmpeg refused
        raise RenderError(f"cannot write MP4: {str(exc).splitlines()[0]}") from None


def render(args: argparse.Namespace) -> Path:
    suffix = check(args)
    exp = load(args)
    if args.view == "training":
        images = training(exp, args)
    else:
        exp.train(args.steps)
        frame = exp.frame()
        stage = None if args.view == "strip" else (args.stage or 0)
        images = (
            morph(frame, args)
            if args.view == "morph"
            else [picture(frame, stage, args.size, args.lang)]
        )
    write(images, args.out, suffix, args.fps)
    return Path(args.out)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        out = render(args)
    except RenderError as exc:
        print(f"spacefold render: error: {exc}", file=sys.stderr)
        return 2
    except Diverged as exc:
        print(f"spacefold render: error: training diverged: {exc}", file=sys.stderr)
        return 2
    except Refused as exc:  # training would count past the last step a session may count
        print(f"spacefold render: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"spacefold render: error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0
