"""Import an office's 台账 spreadsheet: the entry points; each step lives in its own module.

- ``import_read``: the cells of every sheet, through the safe reader (``safe_read``), typed
  column by column (``parse_cell``);
- ``import_plan``: rows → ``PlanRow`` records with the problems the file alone shows; the
  accounts sheet and header row found, columns mapped by header synonyms (``ImportPlan``);
- ``import_compare``: the plan against the registry — create / update / same, and links that
  do not resolve (``check_against``), looking up only the records the file names;
- ``import_write``: the plan applied in the caller's one audited transaction, all or nothing
  (``apply_plan``).

``read_workbook(path, session=s)`` is read + plan + compare. The names below are this package's
import API (the CLI, the import wizard and the tests use them from here).

A blank cell never erases a stored value, and a masked phone (138****1234) never replaces the real
number it masks, so re-importing a 脱敏 copy or a partial sheet loses nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from gzdesk.exchange.import_compare import check_against
from gzdesk.exchange.import_plan import (
    ACTION_LABELS,
    CREATE,
    SAME,
    UPDATE,
    ImportPlan,
    PlanRow,
    SheetPart,
    build_accounts_part,
    fix_cells,
    plan_streamed,
    remap,
    row_cells,
    sheet_header_score,
)
from gzdesk.exchange.import_read import parse_cell
from gzdesk.exchange.import_write import ImportResult, apply_plan
from gzdesk.exchange.progress import ProgressCallback
from gzdesk.exchange.sheet_reader import stream_file

__all__ = ["ACTION_LABELS", "CREATE", "SAME", "UPDATE", "ImportPlan", "ImportResult", "PlanRow", "SheetPart",
           "apply_plan", "build_accounts_part", "check_against", "fix_cells",
           "parse_cell", "preview_file", "read_workbook", "remap", "row_cells", "sheet_header_score"]


def read_workbook(path: Path | str, sheet: str | None = None, session: Session | None = None,
                  progress: ProgressCallback | None = None, keep_rows: bool = True) -> ImportPlan:
    """Read and map a spreadsheet. With ``session``, also check it against the database.
    ``progress(done, total)`` counts the rows of every sheet read; False cancels (``Cancelled``).
    Each batch of rows is planned as it arrives from the reader (``plan_streamed``);
    ``keep_rows=False`` keeps no sheet's cells once planned (the wizard's corrections need them)."""
    path = Path(path)
    plan = plan_streamed(path, stream_file(path, progress), sheet, progress, keep_rows)
    if session is not None:
        check_against(session, plan)
    return plan


def preview_file(session: Session, path: Path | str, sheet: str | None = None,
                 progress: ProgressCallback | None = None) -> ImportPlan:
    """``read_workbook`` with the database check, session first (for ``Controller.read``)."""
    return read_workbook(path, sheet=sheet, session=session, progress=progress)
