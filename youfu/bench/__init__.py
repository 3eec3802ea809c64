"""`youfu bench scoring`: the national-scale scoring benchmark (issue 4, point 10).

Plain Python (DuckDB, ibis, pandas); the Django app only adds the `bench` management command.
"""
