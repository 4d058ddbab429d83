"""The ground floor. Importing it registers the `{name:id}` route convertor
(workspace/numbers.py), so every feature's routes can use it, whatever imports first."""

from workspace import numbers as _numbers  # noqa: F401 - registers the `id` convertor
