"""Policies as data: versioned YAML documents (R1–R5 and a bank's own), their loader and checker.

Plain Python, no Django: ``read_policy`` (document.py) builds frozen dataclasses keeping the file
position of everything, ``check_policy`` / ``load_policy`` (checker.py) find what is wrong, each with
its file, line and column. The Django app (apps.py) exists only for the ``youfu policy`` command.
See README.md in this folder for the schema, written for a service office.
"""
