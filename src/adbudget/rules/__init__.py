"""Automation rules: a rule language, vectorized evaluation, pacing, reserve release, exports.

Pure: functions take DataFrames and return typed results; no files, no database, no printing.
"""
