import numpy as np
import pytest

from nets.datasets import make_dataset
from nets.editing import BadData, add_point, empty, from_csv, remove_nearest, to_csv

DATA = make_dataset("moons", 20, 0.0, seed=0)


def test_add_to_train_or_test_leaves_the_original_alone() -> None:
    more = add_point(DATA, 0.5, -0.25, 1)
    assert len(more.y_train) == len(DATA.y_train) + 1 and len(DATA.y_train) == 10
    assert more.x_train[-1].tolist() == [0.5, -0.25] and more.y_train[-1] == 1
    test = add_point(DATA, 0.1, 0.2, 0, test=True)
    assert len(test.y_test) == 11 and test.x_test[-1].tolist() == pytest.approx([0.1, 0.2])


@pytest.mark.parametrize(
    ("x", "y", "label", "message"),
    [
        (float("nan"), 0.0, 0, "finite"),
        (0.0, 1e9, 0, "within"),
        (0.0, 0.0, 2, "label 2"),
    ],
)
def test_bad_points_are_refused(x: float, y: float, label: int, message: str) -> None:
    with pytest.raises(BadData, match=message):
        add_point(DATA, x, y, label)


def test_remove_the_nearest_point_within_the_radius() -> None:
    target = DATA.x_test[3]
    fewer = remove_nearest(DATA, float(target[0]) + 0.01, float(target[1]), radius=0.05)
    assert len(fewer.y_test) == 9 and len(fewer.y_train) == 10
    assert not any(np.allclose(p, target) for p in fewer.x_test)
    with pytest.raises(BadData, match="no point within"):
        remove_nearest(DATA, 50.0, 50.0, radius=0.05)
    with pytest.raises(BadData, match="no points"):
        remove_nearest(empty(2), 0.0, 0.0, radius=1.0)


def test_csv_round_trip() -> None:
    back = from_csv(to_csv(DATA), 2, 100)
    np.testing.assert_allclose(back.x_train, DATA.x_train, atol=1e-5)
    np.testing.assert_array_equal(back.y_test, DATA.y_test)
    assert to_csv(DATA).splitlines()[0] == "x,y,label,split"


def test_csv_without_split_column_is_training_data() -> None:
    data = from_csv("X, Y, Label\n0.5,0.5,1\n\n-1,2,0\n", 2, 10)
    assert data.x_train.tolist() == [[0.5, 0.5], [-1.0, 2.0]] and len(data.y_test) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a,b,c\n1,2,0\n", "line 1: expected the header"),
        ("x,y,label\n1,2\n", "line 2: expected 3 values"),
        ("x,y,label\n1,two,0\n", "line 2: x and y must be numbers"),
        ("x,y,label\n1,2,0\n1,nan,0\n", "line 3: coordinates must be finite"),
        ("x,y,label\n1,2,7\n", "line 2: label 7"),
        ("x,y,label,split\n1,2,0,validation\n", "split must be train or test"),
        ("x,y,label\n" + "0,0,0\n" * 11, "at most 10"),
    ],
)
def test_bad_csv_names_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(BadData, match=message):
        from_csv(text, 2, 10)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_csv_lines_may_end_in_any_of_the_three_ways(ending: str) -> None:
    text = ending.join(["x,y,label,split", "0.5,0.5,1,train", "", "-1,2,0,test", ""])
    for raw in (text, text.encode()):
        data = from_csv(raw, 2, 10)
        assert data.x_train.tolist() == [[0.5, 0.5]] and data.x_test.tolist() == [[-1.0, 2.0]]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "x,y,label\n0,0,0\n" + "1" * 200_000 + ",0,0\n",
            r"^line 3: this is not CSV \(field larger",
        ),
        ("x,y,label\n0,0,0\n\n\n0,0\n", "^line 5: expected 3 values"),  # blank lines count
        ("x,y,label\r\n0,0\r,0\r\n", "^line 2: expected 3 values"),  # a stray carriage return
        ('x,y,label\n"0.5\n",0,0\n0,,0\n', "^line 4: x and y must be numbers"),  # a quoted break
        (b"x,y,label\r0,0,0\r0,\xff,0\r", "^line 3: the file is not UTF-8 text"),
        (b"\xef\xbb\xbfx,y,label\n0,\xc3,0\n", "^line 2: the file is not UTF-8 text"),
        ("x,y,label\n" + "9" * 5000 + ",0,0\n", "^line 2: "),
    ],
)
def test_every_problem_with_a_file_names_its_line(raw: str | bytes, message: str) -> None:
    with pytest.raises(BadData, match=message):
        from_csv(raw, 2, 10)


def test_a_file_with_a_byte_order_mark_reads_as_without() -> None:
    for raw in ("\ufeffx,y,label\n0.5,0.5,1\n", "\ufeffx,y,label\n0.5,0.5,1\n".encode()):
        assert from_csv(raw, 2, 10).x_train.tolist() == [[0.5, 0.5]]
