"""``spacefold render``: the files it writes decode as the format they claim, with the frames
asked for; bad arguments get one line and exit status 2."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image, ImageDraw

from nets.train import MAX_STEP
from spacefold import fonts, raster
from spacefold.fonts import cjk_font_path
from spacefold.render import build_parser, main
from tests.live_server import ROOT

SMALL = ["--steps", "20", "--size", "320x240"]


def render(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``spacefold render`` in this process: its exit status and what it wrote to stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_the_command_writes_a_png_of_the_strip(tmp_path: Path) -> None:
    out = tmp_path / "strip.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacefold",
            "render",
            "--preset",
            "default",
            *SMALL,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    with Image.open(out) as image:
        image.verify()
    with Image.open(out) as image:
        assert (image.format, image.size) == ("PNG", (320, 240))
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50  # regions, grid and points, not a blank page


def test_a_focus_png_of_one_stage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fold.png"
    code, err = render(capsys, *SMALL, "--view", "focus", "--stage", "2", "--out", str(out))
    assert code == 0, err
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (320, 240)


def test_a_gif_of_the_morph_has_the_frames_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "morph.gif"
    code, err = render(
        capsys, *SMALL, "--view", "morph", "--layer", "1", "--frames", "5", "--out", str(out)
    )
    assert code == 0, err
    with Image.open(out) as image:
        assert image.format == "GIF" and getattr(image, "n_frames", 1) == 5
        first = np.asarray(image.convert("RGB"))
        image.seek(4)
        last = np.asarray(image.convert("RGB"))
    assert not np.array_equal(first, last)  # the plane moved


def test_an_mp4_of_training_has_the_frames_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "training.mp4"
    code, err = render(
        capsys,
        "--experiment",
        str(saved(tmp_path)),
        "--view",
        "training",
        "--steps",
        "12",
        "--frames",
        "4",
        "--size",
        "320x240",
        "--out",
        str(out),
    )
    assert code == 0, err
    reader: Any = imageio.get_reader(out, format="FFMPEG")
    try:
        assert reader.count_frames() == 4
        assert reader.get_meta_data()["size"] == (320, 240)
    finally:
        reader.close()


def saved(tmp_path: Path) -> Path:
    """An experiment file as the page exports it."""
    from spacefold import Experiment

    path = tmp_path / "saved.json"
    Experiment.from_config(data={"dataset": "xor", "points": 60}).train(5).save(path)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.jpg"], "--out must end in .png, .gif or .mp4"),
        (["--view", "morph", "--out", "x.png"], "is an animation: write a .gif or .mp4"),
        (["--view", "strip", "--out", "x.gif"], "is one picture: write a .png"),
        (["--view", "focus", "--stage", "20", "--out", "x.png"], "--stage 20 does not exist"),
        (["--view", "morph", "--layer", "9", "--out", "x.gif"], "layer 9 does not exist"),
        (["--layer", "1", "--out", "x.png"], "--layer goes with --view morph"),
        (["--preset", "nope", "--out", "x.png"], "invalid choice: 'nope'"),
        (["--size", "big", "--out", "x.png"], "size is WIDTHxHEIGHT"),
        (["--steps", "-3", "--out", "x.png"], "-3 is not from 0 up to 100000"),
        (["--frames", "1", "--view", "morph", "--out", "x.gif"], "1 is not from 2 up to 600"),
        (["--preset", "wide", "--experiment", "e.json", "--out", "x.png"], "not allowed with"),
        (["--experiment", "missing.json", "--out", "x.png"], "cannot read missing.json"),
        (["--out", "no/such/folder/x.png"], "the folder no/such/folder does not exist"),
        ([], "the following arguments are required: --out"),
    ],
)
def test_bad_arguments_get_one_clear_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = render(capsys, "--steps", "1", *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and err.startswith("spacefold render: error: ")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_a_broken_experiment_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "spacefold-experiment", "version": 1, "config": {}}')
    code, err = render(capsys, "--experiment", str(path), "--out", str(tmp_path / "x.png"))
    assert code == 2 and "is not a spacefold experiment: points: Field required" in err
    assert err.count("\n") == 1


def test_training_past_the_last_step_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = saved(tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), "step": MAX_STEP - 1}))
    code, err = render(capsys, "--experiment", str(path), "--out", str(tmp_path / "x.png"))
    assert code == 2 and "would count past 2**53 steps" in err
    assert err.count("\n") == 1 and err.startswith("spacefold render: error: ")
    assert not (tmp_path / "x.png").exists()


def test_a_bad_argument_through_the_real_command_has_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spacefold", "render", "--view", "nope", "--out", "x.png"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("spacefold render: error: argument --view: invalid choice: 'nope'")


def test_every_render_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    options = [o for a in build_parser()._actions for o in a.option_strings if o != "-h"]
    assert len(options) > 10
    for option in options:
        if option != "--help":
            assert f"`{option}" in readme, option


def glyph(text: str) -> np.ndarray:
    """``text`` drawn black on white with the caption font: its pixels."""
    image = Image.new("L", (40, 24), 255)
    ImageDraw.Draw(image).text((2, 2), text, fill=0, font=raster.font(16, text))
    return np.asarray(image)


@pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font on this machine")
def test_chinese_captions_are_drawn_with_real_glyphs_when_a_cjk_font_is_installed() -> None:
    one, two = glyph("输"), glyph("出")
    assert (one < 128).sum() > 20 and (two < 128).sum() > 20  # ink, not an empty box
    assert (np.abs(one.astype(int) - two.astype(int)) > 128).sum() > 20  # not one tofu box


@pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font on this machine")
def test_a_strip_rendered_in_chinese_differs_from_english_only_in_its_captions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pictures = {}
    for lang in ("en", "zh"):
        out = tmp_path / f"{lang}.png"
        code, err = render(capsys, *SMALL, "--lang", lang, "--out", str(out))
        assert code == 0 and err == "", err
        with Image.open(out) as image:
            pictures[lang] = np.asarray(image.convert("RGB")).astype(int)
    differs = np.abs(pictures["en"] - pictures["zh"]).sum(axis=2) > 0
    rows = np.flatnonzero(differs.any(axis=1))
    assert rows.size and rows.max() < raster.TITLE  # the captions changed, the planes did not


def test_without_a_cjk_font_chinese_captions_say_so_on_one_line_of_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: None)
    fonts._warn_no_cjk.cache_clear()
    out = tmp_path / "zh.png"
    code, err = render(capsys, *SMALL, "--lang", "zh", "--out", str(out))
    assert code == 0 and out.is_file()
    assert err.splitlines() == [fonts.NO_CJK]
