"""The official report pack of a period (DESIGN §9): the Word draft and the annex workbook.

Public names:

* ``write_word_draft(tables, out_path, manual_input=None, unit=None)`` -> ``bao_cao_<period>.docx``
  (:mod:`.word`), ``draft_file_name(period)``, ``draft_context``;
* ``write_annex_workbook(tables, out_path, watchlist=None)`` -> ``chi_so_<period>.xlsx``
  (:mod:`.annex`), ``workbook_file_name(period)``;
* the manual-input file (:mod:`.manual`): ``SECTIONS``, ``read_manual_input``,
  ``write_manual_template``, ``manual_file_name``;
* ``issuer_for(end, unit=None)`` (:mod:`.issuer`, reference file ``issuers.csv``);
* ``write_report_pack(tables, out_dir, manual_input=None, unit=None, watchlist=None)``: both
  files into ``out_dir/<period>/``, the manual input from ``manual_dir()`` (:mod:`.build`).

``tables`` is one period's ``QuarterTables`` (``indicators.read_quarter``) or any object with the
same attributes.
"""

from __future__ import annotations

from .annex import workbook_file_name, write_annex_workbook
from .build import manual_dir, write_report_pack
from .issuer import Issuer, issuer_for
from .manual import SECTIONS, manual_file_name, read_manual_input, write_manual_template
from .word import draft_context, draft_file_name, write_word_draft

__all__ = [
    "SECTIONS",
    "Issuer",
    "draft_context",
    "draft_file_name",
    "issuer_for",
    "manual_dir",
    "manual_file_name",
    "read_manual_input",
    "workbook_file_name",
    "write_annex_workbook",
    "write_manual_template",
    "write_report_pack",
    "write_word_draft",
]
