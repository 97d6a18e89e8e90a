"""Small shared widgets and helpers of the window."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from gzdesk.ui.widgets import image_bytes_from_file, png_bytes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_an_image_in_another_format_is_stored_as_png(tmp_path, qapp):
    image = QImage(12, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("#2b5797"))
    bmp = tmp_path / "二维码.bmp"
    assert image.save(str(bmp), "BMP")
    data = image_bytes_from_file(bmp)
    assert data.startswith(PNG_MAGIC)
    back = QImage.fromData(data)
    assert (back.width(), back.height()) == (12, 8) and back.pixelColor(3, 3) == QColor("#2b5797")
    assert png_bytes(image).startswith(PNG_MAGIC)


def _texts_table(qtbot, rows: list[tuple[str, str, str]]):
    from PySide6.QtWidgets import QTableView

    from gzdesk.ui.list_model import ListModel

    model = ListModel([("甲", lambda r: r[0]), ("乙", lambda r: r[1]), ("丙", lambda r: r[2])])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.set_rows(rows)
    return view, model


def _odd_texts(seed: int) -> list[tuple[str, str, str]]:
    """Short and long Chinese, unbroken Latin and numbers (2026-00006), blanks, repeats, spaces."""
    import random

    rng = random.Random(seed)
    words = ["青石镇人民政府", "发布", "2026-00006", "WeChatOfficialAccount", "关于", "　", " ", "ABC DEF",
             "新媒体账号开设备案逾期", "（", "）", "第十七条", "x" * 30, ""]
    make = lambda: "".join(rng.choice(words) for _ in range(rng.randint(0, 9)))  # noqa: E731
    rows = [(make(), make(), make()) for _ in range(300)]
    return rows + rows[:40]  # the same texts again


def test_row_heights_in_slices_fit_as_fit_row_height(qtbot):
    """``RowHeights`` (a whole list through its distinct texts, longest first, measured a few at a
    time over the event loop) sets the row height ``fit_row_height`` sets over every row's texts,
    for a filtered list too, at widths where nothing wraps and where texts do."""
    from gzdesk.ui.widgets import RowHeights, fit_row_height, longest_first

    sliced, counts = 0, set()
    for seed in range(4):
        rows = _odd_texts(seed)
        view, model = _texts_table(qtbot, rows)
        heights = RowHeights(view, (0, 1, 2), max_lines=3)
        heights.SLICE = 7
        heights.set_whole(model.rows, longest_first(rows, {c: model.columns[c][1] for c in range(3)}))
        for widths in ((900, 900, 900), (120, 900, 900), (900, 60, 200), (80, 80, 80), (300, 40, 900)):
            for column, width in enumerate(widths):
                view.setColumnWidth(column, width)
            for shown in (rows, rows[::3], rows[5:9], []):
                model.set_rows(shown)
                heights.fit(model, "context")
                sliced += heights.busy
                qtbot.waitUntil(lambda h=heights: not h.busy, timeout=10000)
                fitted = view.verticalHeader().defaultSectionSize(), view.wordWrap()
                lines = fit_row_height(view, {c: [model.columns[c][1](r) for r in model.rows] for c in range(3)},
                                       max_lines=3)
                assert fitted == (view.verticalHeader().defaultSectionSize(), view.wordWrap()), (seed, widths)
                assert view.wordWrap() == (lines > 1)
                counts.add(lines)
    assert 1 in counts and max(counts) > 1  # widths where nothing wraps and where some text does
    assert sliced  # some fits took more than one slice


def test_row_heights_fit_a_small_list_at_once(qtbot):
    from gzdesk.ui.widgets import RowHeights, fit_row_height

    rows = _odd_texts(9)[:30]
    view, model = _texts_table(qtbot, rows)
    view.setColumnWidth(0, 70)
    heights = RowHeights(view, (0, 1, 2), max_lines=3)
    heights.fit(model)
    assert not heights.busy
    height = view.verticalHeader().defaultSectionSize()
    assert fit_row_height(view, {c: [model.columns[c][1](r) for r in rows] for c in range(3)}, max_lines=3) > 1
    assert view.verticalHeader().defaultSectionSize() == height


def _fit_measuring_every_text(view, columns, max_lines):
    """``fit_row_height`` as it was before it stopped at the first text making ``max_lines`` lines
    (it stopped only at one ``max_lines`` lines tall): the reference for the early stop."""
    from PySide6.QtCore import QRect, Qt

    from gzdesk.ui.widgets import _wrapped_line

    fm = view.fontMetrics()
    line = _wrapped_line(fm)
    most = line * max_lines
    tallest = line
    for column, texts in columns.items():
        if tallest >= most:
            break
        width = max(view.columnWidth(column) - 12, 40)
        for text in dict.fromkeys(texts):
            if text and fm.horizontalAdvance(text) > width:
                tallest = max(tallest, fm.boundingRect(QRect(0, 0, width, line * (max_lines + 1)),
                                                        int(Qt.TextFlag.TextWordWrap), text).height())
                if tallest >= most:
                    break
    return min(max_lines, max(1, -(-tallest // line)))


def test_the_row_height_stops_measuring_only_where_the_count_is_settled(qtbot):
    """The lines ``fit_row_height`` counts are those of measuring on (odd texts, widths, 1–4 lines)."""
    from gzdesk.ui.widgets import fit_row_height

    counts = set()
    for seed in range(3):
        rows = _odd_texts(seed)
        view, model = _texts_table(qtbot, rows)
        for widths in ((900, 900, 900), (120, 900, 900), (900, 60, 200), (80, 80, 80), (300, 40, 900),
                       (200, 200, 200)):
            for column, width in enumerate(widths):
                view.setColumnWidth(column, width)
            for shown in (rows, rows[::7], rows[5:9]):
                texts = {c: [r[c] for r in shown] for c in range(3)}
                for max_lines in (1, 2, 3, 4):
                    lines = fit_row_height(view, texts, max_lines=max_lines)
                    assert lines == _fit_measuring_every_text(view, texts, max_lines), (seed, widths, max_lines)
                    counts.add(lines)
    assert counts == {1, 2, 3, 4}


def test_texts_measured_in_a_read_thread_are_the_views(qtbot):
    """``TextMeasures`` filled in another thread (a page's worker) measures as the view does; with
    them the whole list's fit measures nothing more and sets ``fit_row_height``'s height."""
    import threading

    from gzdesk.ui.widgets import RowHeights, fit_row_height, longest_first

    rows = _odd_texts(3)
    view, model = _texts_table(qtbot, rows)
    for widths in ((900, 900, 900), (300, 900, 120), (80, 80, 80)):
        for column, width in enumerate(widths):
            view.setColumnWidth(column, width)
        heights = RowHeights(view, (0, 1, 2), max_lines=3)
        measures = heights.measures()
        texts = {c: model.columns[c][1] for c in range(3)}
        distinct = longest_first(rows, texts)
        worker = threading.Thread(target=measures.measure, args=(distinct, texts))
        worker.start()
        worker.join()
        assert measures.widths and measures.agrees(view)
        heights.set_whole(model.rows, distinct, measures)
        known = dict(heights.widths)
        model.set_rows(rows)
        heights.fit(model)
        assert not heights.busy and heights.widths == known  # nothing measured on this thread
        height = view.verticalHeader().defaultSectionSize()
        fit_row_height(view, {c: [texts[c](r) for r in rows] for c in range(3)}, max_lines=3)
        assert view.verticalHeader().defaultSectionSize() == height


def test_a_text_wrapped_on_two_lines_gets_a_row_of_two_lines(qtbot):
    """A wrapped 2-line text is 32 pixels where the font's line spacing is 15: counted in line
    spacings it made a 3-line row, so 待办 and 检查 showed a blank third line on every row."""
    from PySide6.QtCore import QRect, Qt

    from gzdesk.ui.widgets import fit_row_height

    view, _model = _texts_table(qtbot, [("甲", "乙", "丙")])
    view.setColumnWidth(0, 212)
    fm = view.fontMetrics()
    width = 200
    text = next(t for t in ("政务新媒体备案" * n for n in range(1, 40))
                if fm.boundingRect(QRect(0, 0, width, 1000), int(Qt.TextFlag.TextWordWrap), t).height()
                > fm.boundingRect(QRect(0, 0, width, 1000), int(Qt.TextFlag.TextWordWrap), "政").height())
    assert fit_row_height(view, {0: [text]}, max_lines=3) == 2
    assert fit_row_height(view, {0: [text * 2]}, max_lines=4) >= 3
    assert view.verticalHeader().defaultSectionSize() >= fm.boundingRect(
        QRect(0, 0, width, 1000), int(Qt.TextFlag.TextWordWrap), text * 2).height()
