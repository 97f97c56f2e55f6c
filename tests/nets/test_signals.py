import numpy as np
import pytest

from nets.signals import GLYPHS, MOTIFS, Jitter, glyph_images, keypoints, motif_signals, render

BUMP, STEP, ZIGZAG = MOTIFS["bump"], MOTIFS["step"], MOTIFS["zigzag"]


def test_same_seed_same_signals_other_seed_other_signals() -> None:
    a = motif_signals(50, 40, (BUMP, STEP), 0.2, seed=3)
    b = motif_signals(50, 40, (BUMP, STEP), 0.2, seed=3)
    c = motif_signals(50, 40, (BUMP, STEP), 0.2, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.array_equal(a.x, c.x)


def test_signal_shapes_and_types() -> None:
    s = motif_signals(30, 64, (BUMP,), 0.1, seed=0)
    assert s.x.shape == (30, 1, 64) and s.x.dtype == np.float32
    assert s.labels.shape == (30,) and s.labels.dtype == np.int64
    assert s.positions.shape == (30,) and s.positions.dtype == np.int64
    assert s.n_classes == 2 and len(s) == 30


def test_present_plants_the_motif_where_it_says_and_nothing_else_without_noise() -> None:
    s = motif_signals(200, 32, (ZIGZAG,), 0.0, seed=1)
    assert set(s.labels) == {0, 1}
    for x, label, start in zip(s.x[:, 0], s.labels, s.positions, strict=True):
        expected = np.zeros(32, dtype=np.float32)
        if label == 1:
            expected[start : start + len(ZIGZAG)] = ZIGZAG
        else:
            assert start == -1
        np.testing.assert_array_equal(x, expected)


def test_present_with_a_distractor_plants_it_in_the_negatives() -> None:
    s = motif_signals(100, 24, (BUMP, STEP), 0.0, seed=2)
    for x, label, start in zip(s.x[:, 0], s.labels, s.positions, strict=True):
        motif = BUMP if label == 1 else STEP
        np.testing.assert_array_equal(x[start : start + len(motif)], motif)


def test_which_labels_name_the_planted_motif() -> None:
    motifs = (BUMP, STEP, ZIGZAG)
    s = motif_signals(300, 48, motifs, 0.0, seed=5, mode="which")
    assert s.n_classes == 3 and set(s.labels) == {0, 1, 2}
    for x, label, start in zip(s.x[:, 0], s.labels, s.positions, strict=True):
        motif = motifs[label]
        np.testing.assert_array_equal(x[start : start + len(motif)], motif)


def test_where_limits_the_motif_positions() -> None:
    s = motif_signals(300, 32, (BUMP,), 0.1, seed=0, where=(16, 30))
    planted = s.positions[s.positions >= 0]
    assert planted.min() >= 16 and planted.max() < 30
    assert len(set(planted)) == 14  # every allowed start occurs


def test_bad_signal_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        motif_signals(10, 8)  # too short
    with pytest.raises(ValueError):
        motif_signals(10, 32, where=(0, 31))  # a 3-sample motif cannot start at 30
    with pytest.raises(ValueError):
        motif_signals(10, 32, mode="nope")  # type: ignore[arg-type]


def test_split_and_dataset_agree() -> None:
    s = motif_signals(100, 32, seed=0)
    train, test = s.split(0.3)
    assert len(train) == 70 and len(test) == 30
    data = s.dataset(0.3)
    np.testing.assert_array_equal(data.x_train, train.x)
    np.testing.assert_array_equal(data.y_test, test.labels)
    np.testing.assert_array_equal(test.positions, s.positions[70:])
    assert data.n_classes == 2


def test_c_has_two_endpoints_and_d_two_corners() -> None:
    """What lets an endpoint detector and a corner detector tell C from D."""
    assert keypoints(GLYPHS["C"]) == (2, 0)
    assert keypoints(GLYPHS["D"]) == (0, 2)
    assert keypoints(GLYPHS["L"]) == (2, 1)
    assert keypoints(GLYPHS["T"]) == (3, 0)
    assert keypoints(GLYPHS["O"]) == (0, 0)


def test_glyphs_shapes_determinism_and_classes() -> None:
    names = ("C", "D", "L", "T", "O")
    a = glyph_images(60, 16, names, 0.1, seed=7)
    b = glyph_images(60, 16, names, 0.1, seed=7)
    c = glyph_images(60, 16, names, 0.1, seed=8)
    assert a.x.shape == (60, 1, 16, 16) and a.x.dtype == np.float32
    assert a.positions.shape == (60, 2) and a.n_classes == 5
    assert set(a.labels) == set(range(5))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


def test_glyphs_are_drawn_inside_the_image_near_their_box() -> None:
    s = glyph_images(80, 24, ("C", "D"), 0.0, seed=3)
    assert s.x.min() >= 0.0 and s.x.max() <= 1.0
    for image, (row, col) in zip(s.x[:, 0], s.positions, strict=True):
        ink_rows, ink_cols = np.nonzero(image > 0.5)
        assert ink_rows.size > 20
        assert abs(int(ink_rows.min()) - row) <= 2 and abs(int(ink_cols.min()) - col) <= 2


def test_glyphs_move_scale_and_vary() -> None:
    s = glyph_images(100, 20, ("C", "D"), 0.0, seed=0, jitter=Jitter(scale=0.2))
    assert len({tuple(p) for p in s.positions}) > 30
    ink = (s.x > 0.5).sum(axis=(1, 2, 3))
    assert ink.max() > 1.3 * ink.min()


def test_render_draws_a_stroke_of_the_given_width() -> None:
    line = np.array([[3.0, 5.5], [9.0, 5.5]])  # horizontal, through row 5's centre
    image = render([line], 12, 3.0)
    assert image[5, 6] == 1.0 and image[4, 6] == 1.0 and image[6, 6] == 1.0
    assert image[2, 6] == 0.0 and image[5, 0] == 0.0
    assert image[5, 10] == 0.5  # a round cap: 1.5 pixels from the end, half inked


def test_bad_glyph_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        glyph_images(10, 8)  # too small
    with pytest.raises(ValueError):
        glyph_images(10, 16, ("C", "Q"))
