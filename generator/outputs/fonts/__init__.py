"""Fonts for the PDF, in four steps with one module each.

* :mod:`.discover` decides which file prints each role (标题、黑体、楷体、仿宋、宋体) and why;
* :mod:`.convert` turns PostScript-outline (CFF) fonts into TrueType pieces, once per machine;
* :mod:`.embed` opens TrueType files for reportlab, once per process, under unique names;
* :mod:`.load` puts them together for a document (:func:`load_fonts`).

What a document could not print is reported by the PDF renderer (:mod:`generator.outputs.glyphs`).
"""

from generator.outputs.fonts.convert import (
    CONVERTER_VERSION,
    PIECE_SIZE,
    PieceCache,
    SourceFont,
    convert_piece,
    source_font,
)
from generator.outputs.fonts.discover import (
    BUNDLED_FACES,
    BUNDLED_PACKAGE,
    CANDIDATES,
    OFFICIAL_FONT_NAMES,
    ROLE_ALIASES,
    ROLE_LABELS,
    ROLE_USES,
    ROLES,
    SAMPLE_TEXT,
    Candidate,
    FontChoice,
    FontConfig,
    FontSearch,
    FontSpec,
    Source,
    bundled_font_path,
    choose_fonts,
    default_cache_dir,
    default_config_path,
    default_font_dirs,
    parse_font_arg,
    parse_font_args,
    probe,
    read_config,
    role_of,
)
from generator.outputs.fonts.embed import (
    FontError,
    FontFile,
    TrueTypeFont,
    open_truetype,
)
from generator.outputs.fonts.load import (
    LoadedFont,
    conversion_apart,
    conversion_pending,
    load_fonts,
    prepare_fonts,
)

__all__ = [
    "BUNDLED_FACES", "BUNDLED_PACKAGE", "CANDIDATES", "CONVERTER_VERSION", "OFFICIAL_FONT_NAMES",
    "PIECE_SIZE", "ROLES", "ROLE_ALIASES", "ROLE_LABELS", "ROLE_USES", "SAMPLE_TEXT", "Candidate",
    "FontChoice", "FontConfig", "FontError", "FontFile", "FontSearch", "FontSpec", "LoadedFont",
    "PieceCache", "Source", "SourceFont", "TrueTypeFont", "bundled_font_path", "choose_fonts", "conversion_apart",
    "conversion_pending",
    "convert_piece", "default_cache_dir", "default_config_path", "default_font_dirs",
    "load_fonts", "open_truetype", "parse_font_arg", "parse_font_args", "prepare_fonts", "probe",
    "read_config", "role_of", "source_font",
]
