"""An .xlsx workbook read as the clerk sees it.

The native reader (fastexcel) gives each cell's stored value. Three kinds of cell show
something else, and for those the sheet's XML is read directly:

- a number formatted as a percentage holds 0.503 and shows 50.3%: it is read as the
  percentage, as Excel's formula bar shows it (`50.3%`, full precision);
- a number formatted as a date holds a day count and shows 2019年6月 (or Jun-19, 2019/6/1):
  it is read at the precision its format shows (`2019年`, `2019年6月`, `2019年6月1日`), so a
  month typed into Excel is the month, and a message quotes what the clerk sees;
- an Excel error (`#DIV/0!`, `#N/A` ...) and a formula saved without its result are kept as
  such (`#DIV/0!`, `=SUM(B2:B5)`), never turned into a blank; the reader of the rows rejects
  them with a message saying so.

Everything here runs in the isolated reader process (`pipelines.ingest.isolation`), after the
workbook's parts have passed the size checks (`xlsx_reader`).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from decimal import Decimal

from pipelines.ingest.readers.base import Grid, clean, column_index, column_letter

# Built-in number formats (ECMA-376 part 1, 18.8.30, and the zh-CN locale's 27-58).
_BUILTIN_KINDS = {
    9: "percent", 10: "percent",
    14: "day", 15: "day", 16: "day", 17: "month", 22: "day",
    27: "month", 28: "day", 29: "day", 30: "day", 31: "day", 36: "month",
    50: "month", 51: "day", 52: "month", 53: "day", 54: "day", 57: "month", 58: "day",
}  # fmt: skip
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')
_TAG = r"<(?:[\w.-]+:)?"
_XF_BLOCK = re.compile(_TAG + r"cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF = re.compile(_TAG + r"xf\b([^>]*)>")
_NUM_FMT = re.compile(_TAG + r"numFmt\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_SHEET = re.compile(_TAG + r"sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(_TAG + r"Relationship\b([^>]*)>")
_DATE_1904 = re.compile(_TAG + r'workbookPr\b[^>]*date1904="(?:1|true)"')
_ROW_OR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?row\b([^>]*)>|<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S
)
_CELL_ATTRIBUTE = re.compile(rb'\b(r|s|t)="([^"]*)"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.S)
_REFERENCE = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")

EXCEL_ERRORS = re.compile(
    r"^#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
    r"BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!)$",
    re.I,
)


def format_kind(code: str) -> str | None:
    """What a number format shows: percent, year, month or day; None for anything else
    (plain numbers, times, text)."""
    section = _QUOTED.sub("", code.split(";")[0]).lower()
    for word in ("general", "am/pm", "a/p", "上午/下午"):
        section = section.replace(word, "")
    if "%" in section:
        return "percent"
    if "d" in section or "a" in section:  # aaa/aaaa: the weekday in Chinese
        return "day"
    has_time = "h" in section or "s" in section
    if "y" in section:
        return "month" if "m" in section else "year"
    if "m" in section and not has_time:
        return "month"
    return None


def plain_number(value: float) -> str:
    """A float as text without exponent or binary noise: 50.312000000000005 -> 50.312."""
    text = format(Decimal(repr(round(value, 10))).normalize(), "f")
    return "0" if text in {"-0", ""} else text


def excel_date(serial: float, date1904: bool) -> dt.date:
    """The day an Excel date serial stands for (1900 system with its 29 Feb 1900, or 1904)."""
    if date1904:
        return dt.date(1904, 1, 1) + dt.timedelta(days=int(serial))
    if serial < 61:  # before Excel's phantom 29 Feb 1900
        return dt.date(1899, 12, 31) + dt.timedelta(days=max(int(serial), 1) - 1)
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))


def shown_date(day: dt.date, kind: str) -> str:
    if kind == "year":
        return f"{day.year}年"
    if kind == "month":
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def _attributes(text: str) -> dict[str, str]:
    return {name.split(":")[-1]: html.unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _read_part(archive: zipfile.ZipFile, name: str) -> str:
    try:
        return archive.read(name).decode("utf-8", errors="replace")
    except KeyError:
        return ""


def style_kinds(archive: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> percent / year / month / day, for the styles that show one."""
    styles = _read_part(archive, "xl/styles.xml")
    custom = {}
    for attributes in map(_attributes, _NUM_FMT.findall(styles)):
        if attributes.get("numFmtId", "").isdigit():
            custom[int(attributes["numFmtId"])] = format_kind(attributes.get("formatCode", ""))
    block = _XF_BLOCK.search(styles)
    kinds = {}
    for index, text in enumerate(_XF.findall(block.group(1)) if block else []):
        number_format = _attributes(text).get("numFmtId", "0")
        if not number_format.isdigit():
            continue
        number_format = int(number_format)
        kind = (
            custom[number_format] if number_format in custom else _BUILTIN_KINDS.get(number_format)
        )
        if kind:
            kinds[index] = kind
    return kinds


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its cells."""
    workbook = _read_part(archive, "xl/workbook.xml")
    relations = {}
    for attributes in map(_attributes, _RELATIONSHIP.findall(
        _read_part(archive, "xl/_rels/workbook.xml.rels")
    )):  # fmt: skip
        target = attributes.get("Target", "")
        relations[attributes.get("Id")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return {
        attributes["name"]: relations[attributes["id"]]
        for attributes in map(_attributes, _SHEET.findall(workbook))
        if "name" in attributes and attributes.get("id") in relations
    }


def displayed_cells(sheet_xml: bytes, kinds: dict[int, str], date1904: bool) -> dict:
    """(row, column) -> text, 0-based, for the cells whose stored value is not what Excel
    shows: percentages, dates, error values and formulas without a saved result."""
    styled = b"|".join(str(index).encode() for index in kinds)
    if not (b't="e"' in sheet_xml or re.search(rb"<(?:[\w.-]+:)?f\b", sheet_xml)
            or (styled and re.search(rb'\ss="(?:' + styled + rb')"', sheet_xml))):  # fmt: skip
        return {}
    shown: dict[tuple[int, int], str] = {}
    row = column = -1
    for match in _ROW_OR_CELL.finditer(sheet_xml):
        row_attributes, cell_attributes, inner = match.groups()
        if row_attributes is not None:
            number = re.search(rb'\br="([0-9]+)"', row_attributes)
            row = int(number.group(1)) - 1 if number else row + 1
            column = -1
            continue
        attributes = {k.decode(): v.decode() for k, v in _CELL_ATTRIBUTE.findall(cell_attributes)}
        reference = _REFERENCE.match(attributes.get("r", "").encode())
        if reference:
            column, row = column_index(reference.group(1)), int(reference.group(2)) - 1
        else:
            column += 1
        inner = inner or b""
        value = _VALUE.search(inner)
        value_text = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
        cell_type = attributes.get("t", "n")
        if cell_type == "e":
            shown[row, column] = value_text or "#VALUE!"
            continue
        formula = _FORMULA.search(inner)
        if formula and not value_text and cell_type != "inlineStr":
            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
            shown[row, column] = "=" + (text or "…")
            continue
        style = attributes.get("s", "0")
        kind = kinds.get(int(style)) if style.isdigit() else None
        if kind is None or not value_text:
            continue
        if cell_type == "d":  # an ISO 8601 date cell
            try:
                day = dt.date.fromisoformat(value_text[:10])
            except ValueError:
                continue
            shown[row, column] = shown_date(day, "day" if kind == "percent" else kind)
            continue
        if cell_type != "n":
            continue
        try:
            number = float(value_text)
        except ValueError:
            continue
        if kind == "percent":
            shown[row, column] = plain_number(number * 100) + "%"
        elif (0 if date1904 else 1) <= number < 2958466:  # day 1 of the system .. 9999-12-31
            shown[row, column] = shown_date(excel_date(number, date1904), kind)
    return shown


def _with_cells(grid: Grid, cells: dict[tuple[int, int], str]) -> Grid:
    """`grid` with `cells` (0-based sheet row and column) written over it, grown to hold them."""
    name, rows, letters = grid
    present = [column_index(letter) for letter in letters]
    columns = sorted({*present, *(column for _, column in cells)})
    first, width = columns[0], columns[-1] - columns[0] + 1
    height = max([len(rows), *(row + 1 for row, _ in cells)])
    grown = [[""] * width for _ in range(height)]
    for number, row in enumerate(rows):
        for column, text in zip(present, row, strict=False):
            grown[number][column - first] = text
    for (row, column), text in cells.items():
        grown[row][column - first] = clean(text)
    return name, grown, [column_letter(first + offset) for offset in range(width)]


def load_workbook(data: bytes) -> list[Grid]:
    """Every non-empty sheet of a workbook as a grid of cleaned text cells, as displayed.
    Native code: run it in an isolated worker, where a crash costs one file."""
    import fastexcel

    reader = fastexcel.read_excel(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    kinds = style_kinds(archive)
    parts = sheet_parts(archive)
    date1904 = bool(_DATE_1904.search(_read_part(archive, "xl/workbook.xml")))
    grids = []
    for name in reader.sheet_names:
        sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
        if sheet.width:
            frame = sheet.to_polars()
            letters = [column_letter(c.absolute_index) for c in sheet.selected_columns]
            grid = (name, [[clean(cell) for cell in row] for row in frame.iter_rows()], letters)
        else:
            grid = (name, [], [])
        part = parts.get(name)
        cells = displayed_cells(archive.read(part), kinds, date1904) if part else {}
        if cells:
            grid = _with_cells(grid, cells)
        if grid[1]:
            grids.append(grid)
    return grids
