"""Numeric limits on input files, declared once.

A workbook for the annual report is a few dozen kilobytes: six sheets of at most a hundred
rows.  The limits below are generous by two to three orders of magnitude for such a file and
still keep a county server that runs ``batch`` over files from dozens of offices safe from a
zip bomb or a sheet with a million rows: every one is checked *before* openpyxl parses
anything (see :mod:`generator.inputs.workbook.source`).
"""

from __future__ import annotations

MIB = 1024 * 1024

#: The .xlsx file itself, as stored on disk.
MAX_FILE_BYTES = 20 * MIB

#: Entries (parts) in the zip archive; a real workbook has 15–40.
MAX_ZIP_ENTRIES = 2_000

#: Uncompressed size of any one part (a sheet's XML, the shared strings, an image).
MAX_ENTRY_BYTES = 50 * MIB

#: Uncompressed size of all parts together.
MAX_TOTAL_BYTES = 200 * MIB

#: Compression ratio (uncompressed / compressed) allowed for a part larger than
#: :data:`RATIO_CHECK_MIN_BYTES`.  Ordinary sheet XML compresses 5–20 : 1; a zip bomb
#: reaches 1000 : 1.  Small parts are exempt because a ratio means little for them.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1 * MIB

#: Worksheets in one workbook (the blank workbook has six).
MAX_SHEETS = 200

#: Rows per worksheet: both the number of ``<row>`` elements and the highest row number.
MAX_SHEET_ROWS = 10_000

#: Cells per worksheet (``<c>`` elements).
MAX_SHEET_CELLS = 100_000

#: Merged ranges per worksheet, and cells one merged range may cover.  The official tables
#: need a few dozen merges of at most 22 cells; the reader empties every covered cell, so
#: these two bound its work on a hostile sheet.
MAX_SHEET_MERGES = 1_000
MAX_MERGE_CELLS = 10_000

#: Bytes decompressed at a time while scanning a part.
SCAN_CHUNK_BYTES = 64 * 1024
