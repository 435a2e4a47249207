"""insights: what spread, where and among whom.

Reads the track stage's rollups, the platforms' own exports (imported into the tables of
:mod:`vidkit.insights.data`) and the attributes the campaign holds about its sharing members,
and turns them into aggregated tables, a report and the dashboard's views. Nothing here ever
lists an individual visitor; audience cells under the minimum are suppressed.
"""
