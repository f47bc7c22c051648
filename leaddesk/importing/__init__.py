"""Import studio: read messy lead lists, map columns, preview, write in one batch, undo.

Qt-free; the CLI (``leaddesk import``) and the GUI wizard use the same functions.
"""

from leaddesk.importing.activity_rows import ActivityMode
from leaddesk.importing.plan import ImportOptions, ImportPlan
from leaddesk.importing.service import ImportResult, open_import, run_import, save_rejected
from leaddesk.importing.table import ReadOptions, SheetTable, UnreadableFileError, open_table
from leaddesk.importing.undo import UndoError, UndoResult, import_history, undo_batch
from leaddesk.importing.writer import ImportCancelled
from leaddesk.importing.xlsx import HostileFileError

__all__ = [
    "ActivityMode",
    "HostileFileError",
    "ImportCancelled",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "ReadOptions",
    "SheetTable",
    "UndoError",
    "UndoResult",
    "UnreadableFileError",
    "import_history",
    "open_import",
    "open_table",
    "run_import",
    "save_rejected",
    "undo_batch",
]
