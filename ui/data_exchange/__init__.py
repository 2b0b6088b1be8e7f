"""Lists in and workbooks out: the roster import dialog, exports, charts."""
