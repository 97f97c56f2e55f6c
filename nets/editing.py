"""Data drawn by hand: add, remove and clear points; read and write them as CSV.

Every operation returns a new Dataset; the one it was given is never changed, so a refused
edit or a bad file leaves the current data exactly as it was.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from nets.datasets import Dataset

CSV_HEADER = ("x", "y", "label", "split")
MAX_COORDINATE = 100.0


class BadData(ValueError):
    """A point or a file that cannot become data; the message says where and why."""


def empty(n_classes: int) -> Dataset:
    none = np.zeros((0, 2), np.float32)
    labels = np.zeros(0, np.int64)
    return Dataset(none, labels, none.copy(), labels.copy(), n_classes)


def _check_point(x: float, y: float, label: int, n_classes: int, where: str = "") -> None:
    if not (math.isfinite(x) and math.isfinite(y)):
        raise BadData(f"{where}coordinates must be finite numbers, not ({x}, {y})")
    if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
        raise BadData(f"{where}coordinates must lie within ±{MAX_COORDINATE:g}, not ({x}, {y})")
    if not 0 <= label < n_classes:
        raise BadData(f"{where}label {label} is not a class here (0 to {n_classes - 1})")


def add_point(data: Dataset, x: float, y: float, label: int, test: bool = False) -> Dataset:
    _check_point(x, y, label, data.n_classes)
    point = np.array([[x, y]], np.float32)
    tag = np.array([label], np.int64)
    if test:
        return Dataset(
            data.x_train,
            data.y_train,
            np.concatenate([data.x_test, point]),
            np.concatenate([data.y_test, tag]),
            data.n_classes,
        )
    return Dataset(
        np.concatenate([data.x_train, point]),
        np.concatenate([data.y_train, tag]),
        data.x_test,
        data.y_test,
        data.n_classes,
    )


def remove_nearest(data: Dataset, x: float, y: float, radius: float = math.inf) -> Dataset:
    """Without the point nearest (x, y), train or test, however far it is (or only within
    ``radius``: BadData if none is); BadData when there are no points."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise BadData("coordinates must be finite numbers")
    all_x = data.x
    if len(all_x) == 0:
        raise BadData("there are no points to remove")
    distance = np.hypot(all_x[:, 0] - x, all_x[:, 1] - y)
    nearest = int(distance.argmin())
    if distance[nearest] > radius:
        raise BadData(f"no point within {radius:.3g} of ({x:.3g}, {y:.3g})")
    n_train = len(data.y_train)
    if nearest < n_train:
        keep = np.arange(n_train) != nearest
        return Dataset(
            data.x_train[keep], data.y_train[keep], data.x_test, data.y_test, data.n_classes
        )
    keep = np.arange(len(data.y_test)) != nearest - n_train
    return Dataset(data.x_train, data.y_train, data.x_test[keep], data.y_test[keep], data.n_classes)


def to_csv(data: Dataset) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    splits = (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test))
    for split, xs, ys in splits:
        for (px, py), label in zip(xs.tolist(), ys.tolist(), strict=True):
            writer.writerow((f"{px:.6g}", f"{py:.6g}", label, split))
    return out.getvalue()


def _text(raw: str | bytes) -> str:
    """The file's text (UTF-8, a byte order mark dropped), or BadData naming the first bad line."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = len(_lines(raw[: exc.start].decode("utf-8") + ".").readlines())
        raise BadData(f"line {line}: the file is not UTF-8 text") from None


def _lines(text: str) -> io.StringIO:
    """``text`` read line by line, a line ending in \\n, \\r\\n or \\r (and in nothing else)."""
    return io.StringIO(text, newline="")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The file's rows that hold anything, each with the line it starts on (a quoted value may
    span lines)."""
    reader = csv.reader(_lines(text))
    rows = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise BadData(f"line {reader.line_num}: this is not CSV ({exc})") from None
    return rows


def from_csv(raw: str | bytes, n_classes: int, max_points: int) -> Dataset:
    """Points from CSV (text, or a file's UTF-8 bytes) with columns x, y, label and optionally
    split (train/test, default train). Every problem with the file is BadData naming the line
    and the problem; nothing is half-read."""
    rows = _rows(_text(raw))
    if not rows:
        raise BadData("the file is empty: expected a header line x,y,label[,split]")
    first, head = rows[0]
    header = [cell.strip().lower() for cell in head]
    if header[:3] != ["x", "y", "label"] or len(header) > 4 or header[3:] not in ([], ["split"]):
        raise BadData(
            f"line {first}: expected the header x,y,label[,split], found {','.join(head)[:80]}"
        )
    body = rows[1:]
    if len(body) > max_points:
        raise BadData(f"the file has {len(body)} points; at most {max_points} are allowed")
    points: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    labels: dict[bool, list[int]] = {False: [], True: []}
    for number, row in body:
        where = f"line {number}: "
        if len(row) != len(header):
            raise BadData(f"{where}expected {len(header)} values, found {len(row)}")
        try:
            px, py = float(row[0]), float(row[1])
            label = int(row[2])
        except ValueError:
            raise BadData(f"{where}x and y must be numbers and label a whole number") from None
        _check_point(px, py, label, n_classes, where)
        split = row[3].strip().lower() if len(row) == 4 else "train"
        if split not in ("train", "test"):
            raise BadData(f"{where}split must be train or test, not {split!r}")
        points[split == "test"].append((px, py))
        labels[split == "test"].append(label)
    return Dataset(
        np.array(points[False], np.float32).reshape(-1, 2),
        np.array(labels[False], np.int64),
        np.array(points[True], np.float32).reshape(-1, 2),
        np.array(labels[True], np.int64),
        n_classes,
    )
