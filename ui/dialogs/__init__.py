"""Dialogs shared by several pages; opened with show()/open(), never exec()."""
