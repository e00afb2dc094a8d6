"""Spreadsheets in and out: `qingdan import` (xlsx/xls/csv → lists/*.yml) and `qingdan export`.

read.py (files → sheets, merged cells) · mapping.py (headers → fields) · rows.py (data rows, fill
down) · normalize.py (what clerks type) · convert.py (row → item) · merge.py (round-trip YAML) ·
importer.py (plan, validate, write) · export.py (xlsx/csv/json, downloads for the site).
"""
