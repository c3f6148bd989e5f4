"""The input layer both readers share: the clerk's workbook reader (:mod:`generator.inputs.workbook`)
and the importer of published reports (:mod:`generator.inputs.importers`).

* :mod:`.labels` — one label normaliser, with named strictness levels, and tolerant matching;
* :mod:`.numbers` — one number parser (a typed workbook cell, a printed table cell);
* :mod:`.ooxml` — one zip/XML guard for every OOXML input (.xlsx and .docx), which
  decompresses each part once and hands the checked bytes to the reader.
"""
