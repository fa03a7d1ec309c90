"""Strict consumers nobody here wrote, for the files other software reads."""
