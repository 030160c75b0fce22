"""Describe an .xlsx workbook as JSON, as openpyxl reads it: the tests compare what a real reader sees.

Usage: /usr/bin/python3 inspect_workbook.py BOOK.xlsx

Every non-empty cell is listed with its value (formulas as their text), the value cached for a formula
(a second load with data_only=True), openpyxl's data type, number format, whether it reads as a date,
the quote-prefix flag and boldness; each sheet with its frozen panes, auto filter and column widths.
"""
import datetime
import json
import sys

import openpyxl


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    return v


def main(path):
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    p = wb.properties
    out = {
        "properties": {
            "title": p.title, "subject": p.subject, "creator": p.creator, "description": p.description,
            "lastModifiedBy": p.lastModifiedBy, "category": p.category,
            "created": p.created.isoformat() if p.created else None,
        },
        "sheets": [],
    }
    for ws in wb.worksheets:
        wc = cached[ws.title]
        sheet = {
            "name": ws.title,
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth},
            "cells": {},
        }
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                sheet["cells"][c.coordinate] = {
                    "v": plain(c.value),
                    "cached": plain(wc[c.coordinate].value),
                    "type": c.data_type,
                    "format": c.number_format,
                    "date": c.is_date,
                    "quote": bool(c.quotePrefix),
                    "bold": bool(c.font and c.font.b),
                }
        out["sheets"].append(sheet)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
