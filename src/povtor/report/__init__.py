"""The report page of ``povtor report``: words in two languages, SVG charts, and the
Jinja2 template that turns :class:`povtor.app.report.MonthReport` into one HTML file.

Imported only by ``povtor report``: Jinja2 stays off every other command's start-up.
"""
